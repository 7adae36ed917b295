//! FNV-1a, 64 bit (Fowler, Noll, Vo; the parameters of draft-eastlake-fnv): a content check for
//! manifests and shards. Not cryptographic: it tells a changed or truncated file from the one a
//! manifest names, which is all the outputs need, with no dependency and the same value on every
//! platform and Rust release (std's `DefaultHasher` promises neither).
use std::io::Read;

const OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
const PRIME: u64 = 0x0000_0100_0000_01b3;

/// An FNV-1a 64 hasher fed in pieces.
#[derive(Debug, Clone, Copy)]
pub struct Fnv64(u64);

impl Default for Fnv64 {
    fn default() -> Self {
        Fnv64(OFFSET)
    }
}

impl Fnv64 {
    pub fn update(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 ^ u64::from(b)).wrapping_mul(PRIME);
        }
    }
    /// The hash as 16 lower-case hex digits.
    pub fn hex(&self) -> String {
        format!("{:016x}", self.0)
    }
}

/// Hash of a byte slice, as hex.
pub fn fnv64_hex(bytes: &[u8]) -> String {
    let mut h = Fnv64::default();
    h.update(bytes);
    h.hex()
}

/// Hash and length of everything `r` yields.
pub fn fnv64_read(mut r: impl Read) -> std::io::Result<(String, u64)> {
    let mut h = Fnv64::default();
    let mut buf = vec![0u8; 1 << 16];
    let mut len = 0u64;
    loop {
        let n = r.read(&mut buf)?;
        if n == 0 {
            return Ok((h.hex(), len));
        }
        h.update(&buf[..n]);
        len += n as u64;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Test vectors of the FNV reference code (draft-eastlake-fnv, "FNV-1a 64").
    #[test]
    fn reference_vectors() {
        assert_eq!(fnv64_hex(b""), "cbf29ce484222325");
        assert_eq!(fnv64_hex(b"a"), "af63dc4c8601ec8c");
        assert_eq!(fnv64_hex(b"foobar"), "85944171f73967e8");
    }

    #[test]
    fn pieces_equal_whole() {
        let mut h = Fnv64::default();
        h.update(b"foo");
        h.update(b"bar");
        assert_eq!(h.hex(), fnv64_hex(b"foobar"));
        let (hex, len) = fnv64_read(&b"foobar"[..]).unwrap();
        assert_eq!((hex.as_str(), len), ("85944171f73967e8", 6));
    }
}
