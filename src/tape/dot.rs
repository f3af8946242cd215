//! Export of the recorded graph as Graphviz DOT text, for teaching and
//! debugging: `dot -Tsvg graph.dot > graph.svg`.

use std::fmt::Write;

use super::{Op, Tape};
use crate::tensor::Element;

impl<T: Element> Tape<T> {
    /// The recorded graph in Graphviz DOT. Each node shows its index,
    /// operation and shape; one-element nodes also show their value and,
    /// after `backward`, their gradient. Leaves are boxes (parameters and
    /// variables filled), computations ellipses; edges run operand -> result.
    pub fn to_dot(&self) -> String {
        let mut s =
            String::from("digraph tape {\n  rankdir=LR;\n  node [fontname=\"monospace\"];\n");
        for (i, n) in self.nodes.iter().enumerate() {
            let mut label = format!("#{i} {}\\n{}", n.op.name(), n.shape);
            if n.shape.numel() == 1 {
                let _ = write!(label, "\\nvalue {}", short(self.values[n.offset]));
                if let (Some(l), true) = (self.backward_from, n.needs_grad) {
                    if i <= l {
                        let _ = write!(label, "\\ngrad {}", short(self.grads[n.grad_offset]));
                    }
                }
            }
            let style = match n.op {
                Op::Constant => "shape=box",
                Op::Leaf(_) => "shape=box, style=filled, fillcolor=lightblue",
                _ => "shape=ellipse",
            };
            let _ = writeln!(s, "  n{i} [label=\"{label}\", {style}];");
            for &k in &n.inputs[..n.arity as usize] {
                let _ = writeln!(s, "  n{k} -> n{i};");
            }
        }
        s.push_str("}\n");
        s
    }
}

/// A value as a person reads it on a graph: four decimals in the usual
/// range, scientific notation outside it.
fn short<T: Element>(x: T) -> String {
    let v = x.to_f64_lossy();
    if v == 0.0 || (1e-3..1e4).contains(&v.abs()) {
        format!("{v:.4}")
    } else {
        format!("{v:.3e}")
    }
}

#[cfg(test)]
mod tests {
    use crate::tape::Tape;

    #[test]
    fn dot_lists_nodes_and_edges() {
        let mut t = Tape::<f64>::new();
        let a = t.scalar(2.0);
        let x = t.variable(&crate::tensor::Tensor::scalar(3.0));
        let y = t.mul(a, x).unwrap();
        t.backward(y).unwrap();
        let dot = t.to_dot();
        assert!(dot.starts_with("digraph tape {"));
        assert!(dot.contains("n0 -> n2;"));
        assert!(dot.contains("n1 -> n2;"));
        assert!(dot.contains("#2 mul"));
        assert!(dot.contains("grad 2.0000"), "{dot}");
    }
}
