//! Values that arrive out of order (pieces of the walk, diffed on threads) handed out in order.

use std::collections::HashMap;

/// Values numbered 0, 1, 2, ..., pushed in any order and popped in number order: a value waits
/// until every value numbered before it has been popped.
#[derive(Debug)]
pub struct InOrder<T> {
    /// The number of the value [`InOrder::pop`] hands out next.
    next: usize,
    /// Values pushed before their turn, by number.
    early: HashMap<usize, T>,
}

impl<T> Default for InOrder<T> {
    fn default() -> Self {
        InOrder {
            next: 0,
            early: HashMap::new(),
        }
    }
}

impl<T> InOrder<T> {
    pub fn new() -> InOrder<T> {
        InOrder::default()
    }

    /// Adds value number `index`. A number pushed twice keeps the later value; a number already
    /// popped is never handed out again.
    pub fn push(&mut self, index: usize, value: T) {
        if index >= self.next {
            self.early.insert(index, value);
        }
    }

    /// The next value in number order, when it has arrived.
    pub fn pop(&mut self) -> Option<T> {
        let value = self.early.remove(&self.next)?;
        self.next += 1;
        Some(value)
    }

    /// How many values have been popped: the number of the next one.
    pub fn popped(&self) -> usize {
        self.next
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn drain(q: &mut InOrder<&'static str>) -> Vec<&'static str> {
        std::iter::from_fn(|| q.pop()).collect()
    }

    #[test]
    fn values_pushed_in_order_come_out_at_once() {
        let mut q = InOrder::new();
        assert_eq!(q.pop(), None);
        q.push(0, "a");
        assert_eq!(q.pop(), Some("a"));
        q.push(1, "b");
        q.push(2, "c");
        assert_eq!(drain(&mut q), ["b", "c"]);
        assert_eq!(q.popped(), 3);
    }

    #[test]
    fn values_that_arrive_early_wait_for_the_ones_before_them() {
        let mut q = InOrder::new();
        q.push(2, "c");
        q.push(1, "b");
        assert_eq!(q.pop(), None, "0 has not arrived");
        assert_eq!(q.popped(), 0);
        q.push(0, "a");
        assert_eq!(drain(&mut q), ["a", "b", "c"]);
        q.push(4, "e");
        assert_eq!(q.pop(), None);
        q.push(3, "d");
        assert_eq!(drain(&mut q), ["d", "e"]);
        assert_eq!(q.popped(), 5);
    }

    #[test]
    fn a_missing_value_holds_back_every_later_one() {
        let mut q = InOrder::new();
        q.push(0, "a");
        for (i, v) in [(2, "c"), (3, "d"), (4, "e")] {
            q.push(i, v);
        }
        assert_eq!(drain(&mut q), ["a"], "1 never came");
        assert_eq!(q.popped(), 1);
        assert_eq!(q.pop(), None);
        q.push(1, "b");
        assert_eq!(drain(&mut q), ["b", "c", "d", "e"]);
    }

    #[test]
    fn a_number_already_popped_is_not_handed_out_again() {
        let mut q = InOrder::new();
        q.push(0, "a");
        assert_eq!(q.pop(), Some("a"));
        q.push(0, "again");
        assert_eq!(q.pop(), None);
        q.push(1, "b");
        assert_eq!(drain(&mut q), ["b"]);
    }
}
