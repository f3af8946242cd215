//! TODO(helper): implement this operation (forward method on Tape, VJP, doc math, tests).
#![allow(unused)]
use crate::tape::Backward;
use crate::tensor::Element;

pub(crate) fn backward_minimum<T: Element>(c: &mut Backward<'_, T>) {
    unimplemented!()
}

pub(crate) fn backward_maximum<T: Element>(c: &mut Backward<'_, T>) {
    unimplemented!()
}
