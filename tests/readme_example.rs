//! README's "The library in one screen" is the crate front page's doctest
//! (so it is compiled and run by `cargo test`); this test keeps the two
//! copies the same.

/// The first fenced code block after `heading` in `text`.
fn block_after(text: &str, heading: &str) -> String {
    let start = text.find(heading).expect("heading present");
    let rest = &text[start..];
    let open = rest.find("```").expect("a code block");
    let body = &rest[open..];
    let first_line_end = body.find('\n').unwrap() + 1;
    let close = body[first_line_end..].find("```").unwrap();
    body[first_line_end..first_line_end + close].to_string()
}

#[test]
fn readme_one_screen_is_the_front_page_doctest() {
    let readme = include_str!("../README.md");
    let lib: String = include_str!("../src/lib.rs")
        .lines()
        .filter_map(|l| l.strip_prefix("//!"))
        .map(|l| format!("{}\n", l.strip_prefix(' ').unwrap_or(l)))
        .collect();
    let heading = "## The library in one screen";
    assert_eq!(block_after(readme, heading), block_after(&lib, heading));
}
