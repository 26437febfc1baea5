//! Digital signatures in uploaded PDFs, found by reading the file's signature dictionaries.

/// A digital signature found in a PDF: its dictionary (`/Type /Sig` with a `/ByteRange`) and
/// the signer's name when the dictionary states one (`/Name`). Its cryptographic validity is
/// not checked here: the page says "signed by", never "valid".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PdfSignature {
    /// The `/Name` entry, decoded (PDFDocEncoding or UTF-16BE).
    pub signer: Option<String>,
}

/// The signatures a PDF carries. A signature dictionary is never inside a compressed object
/// stream (its `/Contents` offsets are counted over the file), so reading the objects that hold
/// a `/ByteRange` finds every one.
pub fn pdf_signatures(bytes: &[u8]) -> Vec<PdfSignature> {
    let mut found = Vec::new();
    let mut from = 0;
    while let Some(offset) = find(&bytes[from..], b"/ByteRange") {
        let at = from + offset;
        from = at + b"/ByteRange".len();
        let start = rfind(&bytes[..at], b" obj").map_or(0, |position| position + 4);
        let end = find(&bytes[at..], b"endobj").map_or(bytes.len(), |position| at + position);
        let object = &bytes[start..end];
        let is_signature = [b"/Type/Sig".as_slice(), b"/Type /Sig"]
            .iter()
            .any(|marker| {
                find(object, marker).is_some_and(|position| {
                    // `/Type /SigRef` or `/Type /SigFieldLock` are other dictionaries.
                    !object
                        .get(position + marker.len())
                        .is_some_and(u8::is_ascii_alphanumeric)
                })
            });
        if is_signature {
            found.push(PdfSignature {
                signer: name_entry(object),
            });
        }
    }
    found
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack
        .windows(needle.len())
        .position(|window| window == needle)
}

fn rfind(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack
        .windows(needle.len())
        .rposition(|window| window == needle)
}

/// The `/Name` string of a signature dictionary: a literal `( … )` or a hex `< … >` string.
fn name_entry(object: &[u8]) -> Option<String> {
    let mut from = 0;
    let value = loop {
        let position = from + find(&object[from..], b"/Name")?;
        let rest = &object[position + 5..];
        from = position + 5;
        let trimmed = rest.trim_ascii_start();
        if matches!(trimmed.first(), Some(b'(' | b'<')) {
            break trimmed;
        }
    };
    let raw = if value.first() == Some(&b'(') {
        literal_string(&value[1..])
    } else {
        let end = value.iter().position(|byte| *byte == b'>')?;
        let digits: Vec<u8> = value[1..end]
            .iter()
            .copied()
            .filter(|byte| !byte.is_ascii_whitespace())
            .collect();
        hex::decode(&digits).ok()?
    };
    let text = match raw.strip_prefix(&[0xFE, 0xFF]) {
        Some(utf16) => {
            let units: Vec<u16> = utf16
                .chunks_exact(2)
                .map(|pair| u16::from_be_bytes([pair[0], pair[1]]))
                .collect();
            String::from_utf16_lossy(&units)
        }
        None => match String::from_utf8(raw.clone()) {
            Ok(text) => text,
            Err(_) => raw.iter().map(|byte| char::from(*byte)).collect(),
        },
    };
    let text: String = text.chars().filter(|c| !c.is_control()).take(200).collect();
    let text = text.trim().to_owned();
    (!text.is_empty()).then_some(text)
}

/// The bytes of a PDF literal string after its `(`, up to the balancing `)`, with escapes.
fn literal_string(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut depth = 0_usize;
    let mut index = 0;
    while index < bytes.len() {
        let byte = bytes[index];
        match byte {
            b'\\' => {
                index += 1;
                match bytes.get(index) {
                    Some(b'n') => out.push(b'\n'),
                    Some(b'r') => out.push(b'\r'),
                    Some(b't') => out.push(b'\t'),
                    Some(digit @ b'0'..=b'7') => {
                        let mut value = u32::from(digit - b'0');
                        for _ in 0..2 {
                            match bytes.get(index + 1) {
                                Some(next @ b'0'..=b'7') => {
                                    value = value * 8 + u32::from(next - b'0');
                                    index += 1;
                                }
                                _ => break,
                            }
                        }
                        out.push(u8::try_from(value & 0xFF).unwrap_or_default());
                    }
                    Some(other) => out.push(*other),
                    None => break,
                }
            }
            b'(' => {
                depth += 1;
                out.push(byte);
            }
            b')' if depth == 0 => break,
            b')' => {
                depth -= 1;
                out.push(byte);
            }
            _ => out.push(byte),
        }
        index += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signature_dictionary_and_its_signer_are_found() {
        // UTF-16BE "Nguyễn Văn Ký" in a hex string, as signing tools write Vietnamese names.
        let name: String = "Nguyễn Văn Ký"
            .encode_utf16()
            .flat_map(u16::to_be_bytes)
            .map(|byte| format!("{byte:02X}"))
            .collect();
        let pdf = format!(
            "%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\n5 0 obj\n<< /Type /Sig /Filter /Adobe.PPKLite /SubFilter /adbe.pkcs7.detached /ByteRange [0 120 200 40] /Contents <3082> /Name <FEFF{name}> /M (D:20260305140000+07'00') >>\nendobj\n6 0 obj\n<</Type/Sig/ByteRange[0 1 2 3]/Name(UBND x\\343 \\(Ha\\) N)>>\nendobj\n%%EOF"
        );
        let signatures = pdf_signatures(pdf.as_bytes());
        assert_eq!(
            signatures,
            vec![
                PdfSignature {
                    signer: Some("Nguyễn Văn Ký".to_owned())
                },
                PdfSignature {
                    signer: Some("UBND xã (Ha) N".to_owned())
                },
            ]
        );
    }

    #[test]
    fn a_plain_pdf_or_a_byte_range_elsewhere_is_not_a_signature() {
        assert!(pdf_signatures(b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\n").is_empty());
        let lock = b"%PDF-1.7\n3 0 obj\n<< /Type /SigFieldLock /ByteRange [0 1 2 3] >>\nendobj\n";
        assert!(pdf_signatures(lock).is_empty());
        let unnamed =
            b"%PDF-1.7\n3 0 obj\n<< /Type /Sig /ByteRange [0 1 2 3] /Contents <00> >>\nendobj\n";
        assert_eq!(pdf_signatures(unnamed), vec![PdfSignature { signer: None }]);
    }
}
