//! The security envelope of ETSI messages: IEEE 1609.2 signed data as profiled by ETSI
//! TS 103 097 V1.3.1, in the canonical octet encoding (COER, ITU-T X.696) 1609.2 uses.
//!
//! Every ETSI message on the air is signed, and the envelope is a large part of what it costs
//! on the channel: 93 bytes with a digest of the signer's certificate, 226 bytes
//! with the certificate itself. Stations attach the certificate to a CAM once a second and to
//! every other message (TS 103 097 §7.1.1-7.1.3), a digest otherwise. The envelope is written
//! field by field; the keys, digests and signatures in it are placeholders of the right
//! length (nothing here signs or verifies). docs/v2x-models.md.

use super::time::its_ms;

/// ITS application identifiers (ETSI TS 102 965): CAM, DENM, SPATEM, MAPEM, CPM.
pub const PSID_CAM: u32 = 36;
pub const PSID_DENM: u32 = 37;
pub const PSID_SPATEM: u32 = 137;
pub const PSID_MAPEM: u32 = 138;
pub const PSID_CPM: u32 = 639;

/// 1609.2 protocol version.
const VERSION: u8 = 3;

/// Who signed: a digest of the certificate, or the certificate itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Signer {
    Digest,
    Certificate,
}

/// What the header of the signed data says.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Header {
    pub psid: u32,
    /// Generation time, µs of simulated time.
    pub gen_us: u64,
    /// Generation location (lat, lon in degrees), required on DENMs (TS 103 097 §7.1.2).
    pub location: Option<(f64, f64)>,
}

/// `inner` (a GN common header and what follows it) signed by station `station`.
pub fn signed(inner: &[u8], h: &Header, signer: Signer, station: u32) -> Vec<u8> {
    let mut out = Vec::with_capacity(inner.len() + 256);
    out.extend([VERSION, 0x81, 0x00]); // Ieee1609Dot2Data, signedData, hashId sha256
    // ToBeSignedData.payload: SignedDataPayload { data } -> Ieee1609Dot2Data { unsecuredData }
    out.extend([0x40, VERSION, 0x80]);
    length(&mut out, inner.len());
    out.extend(inner);
    header_info(&mut out, h);
    match signer {
        Signer::Digest => {
            out.push(0x80);
            out.extend(hashed_id8(station));
        }
        Signer::Certificate => {
            out.extend([0x81, 0x01, 0x01]); // SequenceOfCertificate with one entry
            certificate(&mut out, h, station);
        }
    }
    signature(&mut out, station);
    out
}

/// HeaderInfo: psid, generationTime and, when given, generationLocation.
fn header_info(out: &mut Vec<u8>, h: &Header) {
    out.push(if h.location.is_some() { 0x50 } else { 0x40 });
    integer(out, h.psid);
    out.extend((its_ms(h.gen_us) * 1000 + h.gen_us % 1000).to_be_bytes());
    if let Some((lat, lon)) = h.location {
        out.extend(super::gn::tenth_microdegrees(lat).to_be_bytes());
        out.extend(super::gn::tenth_microdegrees(lon).to_be_bytes());
        out.extend([0xf0, 0x00]); // elevation: unavailable (Uint16 0xF000)
    }
}

/// An explicit authorization-ticket certificate (TS 103 097 §6 profile of 1609.2 §6.4.3):
/// issued by a digest, no id, one-week validity, assurance level, permissions for the message
/// being sent, a compressed NIST P-256 verification key and the issuer's signature.
fn certificate(out: &mut Vec<u8>, h: &Header, station: u32) {
    out.extend([0x80, VERSION, 0x00, 0x80]); // signature present, version, explicit, issuer
    out.extend(hashed_id8(!station));
    out.push(0x30); // toBeSigned: assuranceLevel and appPermissions present
    out.push(0x83); // id: none
    out.extend([0, 0, 0, 0, 0]); // cracaId, crlSeries
    let start_s = (its_ms(h.gen_us) / 1000).saturating_sub(86_400) as u32;
    out.extend(start_s.to_be_bytes());
    out.extend([0x84, 0x00, 168]); // duration: 168 hours
    out.push(0x00); // assuranceLevel
    out.extend([0x01, 0x01, 0x80]); // one PsidSsp, with its ssp
    integer(out, h.psid);
    out.extend([0x81, 0x04, 0x03, 0x01, 0x00, 0x00]); // bitmapSsp: version 1, no flags
    out.extend([0x80, 0x80, 0x82]); // verificationKey, ecdsaNistP256, compressed-y-0
    out.extend(filler(station ^ 0x5a5a_5a5a, 32));
    signature(out, !station);
}

/// An ECDSA NIST P-256 signature (x-only r, s): 66 bytes.
fn signature(out: &mut Vec<u8>, station: u32) {
    out.extend([0x80, 0x80]);
    out.extend(filler(station, 64));
}

/// A COER length determinant (X.696 §8.6): short form below 128, else long form.
fn length(out: &mut Vec<u8>, n: usize) {
    if n < 128 {
        out.push(n as u8);
    } else {
        let bytes = (n as u32).to_be_bytes();
        let skip = bytes.iter().take_while(|&&b| b == 0).count();
        out.push(0x80 | (4 - skip) as u8);
        out.extend(&bytes[skip..]);
    }
}

/// A COER unconstrained non-negative INTEGER (Psid): length then the fewest octets.
fn integer(out: &mut Vec<u8>, v: u32) {
    let bytes = v.to_be_bytes();
    let skip = bytes.iter().take_while(|&&b| b == 0).count().min(3);
    length(out, 4 - skip);
    out.extend(&bytes[skip..]);
}

/// A HashedId8 standing for a station's (or its issuer's) certificate.
fn hashed_id8(station: u32) -> [u8; 8] {
    let f = filler(station, 8);
    [f[0], f[1], f[2], f[3], f[4], f[5], f[6], f[7]]
}

/// Deterministic placeholder bytes for keys, digests and signatures (xorshift of the seed).
fn filler(seed: u32, n: usize) -> Vec<u8> {
    let mut x = u64::from(seed) << 1 | 1;
    (0..n)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 24) as u8
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(location: Option<(f64, f64)>) -> Header {
        Header {
            psid: PSID_CAM,
            gen_us: 1_000_000,
            location,
        }
    }

    #[test]
    fn envelope_sizes_follow_the_structure() {
        let inner = vec![0u8; 90];
        // 3 + (3 + 1 + 90) + (1 + 2 + 8) + (1 + 8) + 66 = 183: 93 bytes around a short payload.
        let digest = signed(&inner, &header(None), Signer::Digest, 7);
        assert_eq!(digest.len() - inner.len(), 93);
        // The certificate, 139 bytes (4 + 8 issuer + 15 to-be-signed fields + 11 permission +
        // 35 key + 66 signature), in a sequence of one (3 bytes) replaces the 9-byte digest.
        let cert = signed(&inner, &header(None), Signer::Certificate, 7);
        assert_eq!(cert.len() - digest.len(), 3 + 139 - 9);
        // A location adds ThreeDLocation (10 bytes); payloads of 128 bytes or more take a
        // two-byte length.
        let located = signed(&inner, &header(Some((37.5, 127.0))), Signer::Digest, 7);
        assert_eq!(located.len() - digest.len(), 10);
        let long = signed(&[0; 200], &header(None), Signer::Digest, 7);
        assert_eq!(long.len() - 200, 94);
    }

    #[test]
    fn coer_integers_and_lengths() {
        let mut v = Vec::new();
        integer(&mut v, 36);
        integer(&mut v, 639);
        length(&mut v, 300);
        assert_eq!(v, [1, 36, 2, 0x02, 0x7f, 0x82, 0x01, 0x2c]);
    }
}
