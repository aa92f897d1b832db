//! xorshift64, the work unit of worker-pool (docs/DESIGN.md, "Workloads").

/// One step of xorshift64: `x ^= x << 13; x ^= x >> 7; x ^= x << 17` (mod 2^64).
pub fn xs(mut x: u64) -> u64 {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    x
}

/// `xs` applied `k` times (`xs_k(x, 0) == x`).
pub fn xs_k(x: u64, k: u64) -> u64 {
    (0..k).fold(x, |x, _| xs(x))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_the_suite_test_vectors() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../suite/test-vectors.json");
        let text = std::fs::read_to_string(path).unwrap();
        let vectors: serde_json::Value = serde_json::from_str(&text).unwrap();
        let cases = vectors["xorshift64"].as_array().unwrap();
        assert!(!cases.is_empty());
        for case in cases {
            let number = |key: &str| case[key].as_str().unwrap().parse::<u64>().unwrap();
            let k = case["k"].as_u64().unwrap();
            assert_eq!(xs_k(number("x"), k), number("xs_k"), "{case}");
        }
    }

    #[test]
    fn zero_steps_is_the_identity() {
        assert_eq!(xs_k(42, 0), 42);
        assert_eq!(xs(0), 0);
    }
}
