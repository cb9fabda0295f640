//! eIDAS / PSD2 certificate content (ETSI TS 119 495, RFC 3739): the `organizationIdentifier`
//! subject attribute and the qcStatements extension — encoded for minting QWACs and QSealCs,
//! and decoded back from any certificate for checks and traces.

use serde::{Deserialize, Serialize};
use x509_parser::prelude::*;

/// `organizationIdentifier` (X.520).
pub const ORGANIZATION_IDENTIFIER: &[u64] = &[2, 5, 4, 97];
/// `id-pe-qcStatements` (RFC 3739).
pub const QC_STATEMENTS: &[u64] = &[1, 3, 6, 1, 5, 5, 7, 1, 3];
const QC_COMPLIANCE: &[u64] = &[0, 4, 0, 1862, 1, 1];
const QC_TYPE: &[u64] = &[0, 4, 0, 1862, 1, 6];
const QC_TYPE_ESEAL: &[u64] = &[0, 4, 0, 1862, 1, 6, 2];
const QC_TYPE_WEB: &[u64] = &[0, 4, 0, 1862, 1, 6, 3];
const PSD2_STATEMENT: &[u64] = &[0, 4, 0, 19495, 2];

/// A PSD2 role of a payment service provider (TS 119 495 §5.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum PspRole {
    #[serde(rename = "PSP_AS")]
    AccountServicing,
    #[serde(rename = "PSP_PI")]
    PaymentInitiation,
    #[serde(rename = "PSP_AI")]
    AccountInformation,
    #[serde(rename = "PSP_IC")]
    CardIssuing,
}

impl PspRole {
    pub const ALL: [PspRole; 4] = [
        PspRole::AccountServicing,
        PspRole::PaymentInitiation,
        PspRole::AccountInformation,
        PspRole::CardIssuing,
    ];

    pub fn name(self) -> &'static str {
        match self {
            PspRole::AccountServicing => "PSP_AS",
            PspRole::PaymentInitiation => "PSP_PI",
            PspRole::AccountInformation => "PSP_AI",
            PspRole::CardIssuing => "PSP_IC",
        }
    }

    fn last_arc(self) -> u64 {
        match self {
            PspRole::AccountServicing => 1,
            PspRole::PaymentInitiation => 2,
            PspRole::AccountInformation => 3,
            PspRole::CardIssuing => 4,
        }
    }

    /// The PSD2 role for an open-banking directory role (`AISP`, `PISP`, `CBPII`).
    pub fn from_directory_role(role: &str) -> Option<PspRole> {
        match role {
            "AISP" => Some(PspRole::AccountInformation),
            "PISP" => Some(PspRole::PaymentInitiation),
            "CBPII" => Some(PspRole::CardIssuing),
            "ASPSP" => Some(PspRole::AccountServicing),
            _ => None,
        }
    }
}

/// What a certificate is for (QcType).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum QcType {
    /// QWAC: website authentication, used as the TLS client certificate.
    Web,
    /// QSealC: electronic seal, used to sign.
    Eseal,
}

impl QcType {
    /// `web` / `eseal`, as checks and traces name it.
    pub fn name(self) -> &'static str {
        match self {
            QcType::Web => "web",
            QcType::Eseal => "eseal",
        }
    }
}

/// The PSD2 attributes of a certificate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Psd2Attributes {
    pub roles: Vec<PspRole>,
    pub nca_name: String,
    pub nca_id: String,
}

/// Everything eIDAS-related read from a certificate.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct EidasInfo {
    pub organization_identifier: Option<String>,
    pub qc_compliance: bool,
    pub qc_types: Vec<QcType>,
    pub psd2: Option<Psd2Attributes>,
    /// Role OIDs that are not known PSD2 roles, or role names that do not match their OID.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub anomalies: Vec<String>,
}

impl EidasInfo {
    /// The certificate's eIDAS content as checks see it: the one conversion of these details
    /// (traces show [`mockbank_core::trace::Psd2Summary::from`] of it).
    pub fn facts(self) -> mockbank_core::signed::EidasFacts {
        mockbank_core::signed::EidasFacts {
            qc_types: self.qc_types.iter().map(|t| t.name().to_owned()).collect(),
            roles: self
                .psd2
                .as_ref()
                .map(|p| p.roles.iter().map(|r| r.name().to_owned()).collect())
                .unwrap_or_default(),
            nca_id: self.psd2.as_ref().map(|p| p.nca_id.clone()),
            nca_name: self.psd2.as_ref().map(|p| p.nca_name.clone()),
            has_psd2_statement: self.psd2.is_some(),
            organization_identifier: self.organization_identifier,
            qc_compliance: self.qc_compliance,
            anomalies: self.anomalies,
        }
    }
}

// --- DER encoding (only what the statements need) ---

fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    let len = content.len();
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let bytes: Vec<u8> = len
            .to_be_bytes()
            .iter()
            .copied()
            .skip_while(|b| *b == 0)
            .collect();
        out.push(0x80 | bytes.len() as u8);
        out.extend(bytes);
    }
    out.extend_from_slice(content);
    out
}

fn seq(items: &[Vec<u8>]) -> Vec<u8> {
    tlv(0x30, &items.concat())
}

fn utf8(s: &str) -> Vec<u8> {
    tlv(0x0c, s.as_bytes())
}

fn oid(arcs: &[u64]) -> Vec<u8> {
    let mut body = vec![(arcs[0] * 40 + arcs[1]) as u8];
    for &arc in &arcs[2..] {
        let mut chunk = vec![(arc & 0x7f) as u8];
        let mut rest = arc >> 7;
        while rest > 0 {
            chunk.push(0x80 | (rest & 0x7f) as u8);
            rest >>= 7;
        }
        body.extend(chunk.iter().rev());
    }
    tlv(0x06, &body)
}

/// The DER value of a qcStatements extension for a QWAC (`Web`) or QSealC (`Eseal`).
pub fn qc_statements_der(qc_type: QcType, psd2: &Psd2Attributes) -> Vec<u8> {
    let type_oid = match qc_type {
        QcType::Web => QC_TYPE_WEB,
        QcType::Eseal => QC_TYPE_ESEAL,
    };
    let roles: Vec<Vec<u8>> = psd2
        .roles
        .iter()
        .map(|r| seq(&[oid(&[0, 4, 0, 19495, 1, r.last_arc()]), utf8(r.name())]))
        .collect();
    seq(&[
        seq(&[oid(QC_COMPLIANCE)]),
        seq(&[oid(QC_TYPE), seq(&[oid(type_oid)])]),
        seq(&[
            oid(PSD2_STATEMENT),
            seq(&[seq(&roles), utf8(&psd2.nca_name), utf8(&psd2.nca_id)]),
        ]),
    ])
}

// --- DER decoding ---

/// One TLV: (tag, content, rest).
fn read_tlv(input: &[u8]) -> Option<(u8, &[u8], &[u8])> {
    let (&tag, rest) = input.split_first()?;
    let (&first, rest) = rest.split_first()?;
    let (len, rest) = if first < 0x80 {
        (first as usize, rest)
    } else {
        let n = (first & 0x7f) as usize;
        if n == 0 || n > 4 || rest.len() < n {
            return None;
        }
        let len = rest[..n]
            .iter()
            .fold(0usize, |acc, b| (acc << 8) | *b as usize);
        (len, &rest[n..])
    };
    (rest.len() >= len).then(|| (tag, &rest[..len], &rest[len..]))
}

fn items(mut content: &[u8]) -> Option<Vec<(u8, &[u8])>> {
    let mut out = Vec::new();
    while !content.is_empty() {
        let (tag, body, rest) = read_tlv(content)?;
        out.push((tag, body));
        content = rest;
    }
    Some(out)
}

fn decode_oid(body: &[u8]) -> Option<Vec<u64>> {
    let (&first, rest) = body.split_first()?;
    let mut arcs = vec![
        u64::from(first / 40).min(2),
        u64::from(first) - 40 * u64::from(first / 40).min(2),
    ];
    let mut acc: u64 = 0;
    for &b in rest {
        acc = (acc << 7) | u64::from(b & 0x7f);
        if b & 0x80 == 0 {
            arcs.push(acc);
            acc = 0;
        }
    }
    Some(arcs)
}

/// Decodes a qcStatements extension value.
pub fn parse_qc_statements(der: &[u8], info: &mut EidasInfo) -> Option<()> {
    let (tag, body, _) = read_tlv(der)?;
    if tag != 0x30 {
        return None;
    }
    for (tag, statement) in items(body)? {
        if tag != 0x30 {
            continue;
        }
        let parts = items(statement)?;
        let Some((0x06, id)) = parts.first().copied() else {
            continue;
        };
        let id = decode_oid(id)?;
        if id == QC_COMPLIANCE {
            info.qc_compliance = true;
        } else if id == QC_TYPE {
            let (_, types) = parts.get(1).copied()?;
            for (t, o) in items(types)? {
                match decode_oid(o).filter(|_| t == 0x06).as_deref() {
                    Some(QC_TYPE_WEB) => info.qc_types.push(QcType::Web),
                    Some(QC_TYPE_ESEAL) => info.qc_types.push(QcType::Eseal),
                    _ => info.anomalies.push("unknown QcType".into()),
                }
            }
        } else if id == PSD2_STATEMENT {
            let (_, psd2) = parts.get(1).copied()?;
            let fields = items(psd2)?;
            let (_, roles) = fields.first().copied()?;
            let text = |i: usize| {
                fields
                    .get(i)
                    .and_then(|(_, b)| std::str::from_utf8(b).ok())
                    .map(str::to_owned)
            };
            let mut out = Psd2Attributes {
                roles: Vec::new(),
                nca_name: text(1).unwrap_or_default(),
                nca_id: text(2).unwrap_or_default(),
            };
            for (_, role) in items(roles)? {
                let role_parts = items(role)?;
                let oid_arcs = role_parts.first().and_then(|(_, b)| decode_oid(b))?;
                let name = role_parts
                    .get(1)
                    .and_then(|(_, b)| std::str::from_utf8(b).ok())
                    .unwrap_or("");
                match PspRole::ALL
                    .iter()
                    .find(|r| oid_arcs == [0, 4, 0, 19495, 1, r.last_arc()])
                {
                    Some(r) if r.name() == name => out.roles.push(*r),
                    Some(r) => {
                        info.anomalies.push(format!(
                            "role name `{name}` does not match its OID ({})",
                            r.name()
                        ));
                        out.roles.push(*r);
                    }
                    None => info
                        .anomalies
                        .push(format!("unknown PSD2 role OID {oid_arcs:?} (`{name}`)")),
                }
            }
            info.psd2 = Some(out);
        }
    }
    Some(())
}

/// Reads the eIDAS content of a DER certificate (`None` if it does not parse).
pub fn read(cert_der: &[u8]) -> Option<EidasInfo> {
    let (_, cert) = X509Certificate::from_der(cert_der).ok()?;
    let mut info = EidasInfo::default();
    let org_id_oid = x509_parser::oid_registry::Oid::from(ORGANIZATION_IDENTIFIER).ok()?;
    info.organization_identifier = cert
        .subject()
        .iter_attributes()
        .find(|a| *a.attr_type() == org_id_oid)
        .and_then(|a| a.as_str().ok().map(str::to_owned));
    let qc_oid = x509_parser::oid_registry::Oid::from(QC_STATEMENTS).ok()?;
    if let Some(ext) = cert.extensions().iter().find(|e| e.oid == qc_oid) {
        if parse_qc_statements(ext.value, &mut info).is_none() {
            info.anomalies
                .push("qcStatements extension does not decode".into());
        }
    }
    Some(info)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_the_ts_119_495_example_bytes() {
        // The PSD2 statement of the spec's public QSealC example (stet.md §3).
        let psd2 = Psd2Attributes {
            roles: vec![PspRole::AccountInformation, PspRole::PaymentInitiation],
            nca_name: "Swedish Financial Supervision Authority".into(),
            nca_id: "SE-FINA".into(),
        };
        let der = qc_statements_der(QcType::Eseal, &psd2);
        let expected_psd2_prefix = [
            0x30, 0x64, 0x06, 0x06, 0x04, 0x00, 0x81, 0x98, 0x27, 0x02, 0x30, 0x5a,
        ];
        assert!(der
            .windows(expected_psd2_prefix.len())
            .any(|w| w == expected_psd2_prefix));
        let mut info = EidasInfo::default();
        parse_qc_statements(&der, &mut info).unwrap();
        assert!(info.qc_compliance);
        assert_eq!(info.qc_types, [QcType::Eseal]);
        assert_eq!(info.psd2.clone().unwrap(), psd2);
        assert!(info.anomalies.is_empty());
        // The one conversion checks and traces share.
        let facts = info.facts();
        assert_eq!(facts.qc_types, ["eseal"]);
        assert_eq!(facts.roles, ["PSP_AI", "PSP_PI"]);
        assert_eq!(facts.nca_id.as_deref(), Some("SE-FINA"));
        assert!(facts.has_psd2_statement && facts.qc_compliance);
        let summary = mockbank_core::trace::Psd2Summary::from(&facts);
        assert_eq!(summary.qc_types, facts.qc_types);
    }

    #[test]
    fn oids_round_trip() {
        for arcs in [
            QC_STATEMENTS,
            PSD2_STATEMENT,
            QC_TYPE_WEB,
            ORGANIZATION_IDENTIFIER,
        ] {
            let enc = oid(arcs);
            assert_eq!(decode_oid(&enc[2..]).unwrap(), arcs);
        }
        assert!(
            read_tlv(&[0x30, 0x85, 1, 1, 1, 1, 1]).is_none(),
            "absurd lengths are refused"
        );
    }
}
