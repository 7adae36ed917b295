//! IEEE 1609.3-2016 WAVE Short Message Protocol (WSMP) headers, the network and transport
//! layers of the Korean and US profiles (EtherType 0x88DC): N-header (subtype 0, no options,
//! version 3), TPID 0 (PSID only), T-header (PSID in its p-encoding, §8.1.3, and the length of
//! the WSM data as a variable-length count, §8.1.3.2). docs/v2x-models.md.

/// Provider service identifiers (IEEE 1609.12, as used by SAE J2945/1 and the US connected
/// vehicle deployments): BSM 0x20; SPaT, MAP and the intersection services 0x82; traveller
/// information (TIM, RSA) 0x83.
pub const PSID_BSM: u32 = 0x20;
pub const PSID_INTERSECTION: u32 = 0x82;
pub const PSID_TRAVELLER: u32 = 0x83;

/// WSMP version in the N-header.
const VERSION: u8 = 3;

/// The WSMP headers in front of `data_len` bytes of WSM data for `psid`.
pub fn headers(psid: u32, data_len: usize) -> Vec<u8> {
    let mut out = vec![VERSION, 0];
    out.extend(p_encoded(psid));
    if data_len < 0x80 {
        out.push(data_len as u8);
    } else {
        let n = data_len.min(0x3fff) as u16 | 0x8000;
        out.extend(n.to_be_bytes());
    }
    out
}

/// A PSID in its p-encoding (1609.3 §8.1.3): 1 to 4 octets, the leading bits saying how many,
/// each longer form starting where the shorter ends (0x80 is the first two-octet value).
pub fn p_encoded(psid: u32) -> Vec<u8> {
    match psid {
        0..=0x7f => vec![psid as u8],
        0x80..=0x407f => ((psid - 0x80) as u16 | 0x8000).to_be_bytes().to_vec(),
        0x4080..=0x20_407f => {
            let v = (psid - 0x4080) | 0xc0_0000;
            v.to_be_bytes()[1..].to_vec()
        }
        _ => ((psid.wrapping_sub(0x20_4080)) | 0xe000_0000)
            .to_be_bytes()
            .to_vec(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn psids_take_their_p_encoding() {
        // 1609.3 Table 21 examples: 0x20 → 20, 0x82 → 80-02, 0x83 → 80-03, 0x4080 → C0-00-00.
        assert_eq!(p_encoded(PSID_BSM), [0x20]);
        assert_eq!(p_encoded(PSID_INTERSECTION), [0x80, 0x02]);
        assert_eq!(p_encoded(PSID_TRAVELLER), [0x80, 0x03]);
        assert_eq!(p_encoded(0x4080), [0xc0, 0x00, 0x00]);
    }

    #[test]
    fn header_layout() {
        assert_eq!(headers(PSID_BSM, 100), [3, 0, 0x20, 100]);
        assert_eq!(
            headers(PSID_INTERSECTION, 300),
            [3, 0, 0x80, 0x02, 0x81, 0x2c]
        );
    }
}
