//! A hasher for keys that come from the site and its repository (link targets, commit ids, paths):
//! std's SipHash resists crafted keys, which these are not, and was half of the template-link check
//! and a few percent of the history walk's listing thread.

use std::collections::{HashMap, HashSet};

/// xxh3 over the key's bytes.
#[derive(Default, Clone, Copy)]
pub struct BytesHash;

impl std::hash::BuildHasher for BytesHash {
    type Hasher = BytesHasher;
    fn build_hasher(&self) -> BytesHasher {
        BytesHasher(0)
    }
}

pub struct BytesHasher(u64);

impl std::hash::Hasher for BytesHasher {
    fn write(&mut self, bytes: &[u8]) {
        self.0 = xxhash_rust::xxh3::xxh3_64_with_seed(bytes, self.0);
    }
    fn write_usize(&mut self, n: usize) {
        self.0 ^= n as u64;
    }
    fn finish(&self) -> u64 {
        self.0
    }
}

pub type FastMap<K, V> = HashMap<K, V, BytesHash>;
pub type FastSet<K> = HashSet<K, BytesHash>;
