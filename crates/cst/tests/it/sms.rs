//! SMS over SMPP 3.4 against a real SMSC (Net::SMPP, an implementation independent of ours):
//! bind, texts split and flagged as the networks expect (GSM-7 and UCS-2, concatenated parts
//! with their header), refusals, delivery receipts read back, a gateway that is down or refuses
//! the password.

use std::time::Duration;

use sms::client::{Config, Outcome, Session, SmppError};
use sms::pdu::Submit;
use testkit::smsc::Smsc;

fn submits(text: &str, to: &str, reference: u8) -> Vec<Submit> {
    let s = sms::text::split(text);
    let total = s.parts.len();
    s.parts
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let mut message = vec![];
            if total > 1 {
                message.extend_from_slice(&sms::text::udh(reference, total as u8, i as u8 + 1));
            }
            message.extend_from_slice(p);
            Submit {
                source: "ComunePD".into(),
                destination: to.into(),
                esm_class: if total > 1 { 0x40 } else { 0 },
                data_coding: s.coding.data_coding(),
                registered_delivery: true,
                message,
            }
        })
        .collect()
}

#[tokio::test]
async fn texts_reach_a_real_smsc_and_receipts_come_back() {
    let smsc = Smsc::start().await;
    let config = Config::from_url(&smsc.url()).unwrap();
    let mut s = Session::open(&config).await.unwrap();
    let mut items = submits("Domani l'anagrafe è chiusa. Grazie!", "393471234567", 1);
    let long = format!("È {}", "x".repeat(100));
    items.extend(submits(&long, "393471234568", 2));
    items.extend(submits("ciao", "390001112223", 3));
    items.extend(submits("ciao", "393470000099", 4));
    let (out, err) = s.submit_all(&items, 3).await;
    assert!(err.is_none(), "{err:?}");
    assert_eq!(out.len(), 5);
    let ids: Vec<String> = out
        .iter()
        .filter_map(|o| match o {
            Some(Outcome::Accepted(id)) => Some(id.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(ids.len(), 4, "{out:?}");
    assert_eq!(out[3], Some(Outcome::Refused(0x0B)));
    let mut receipts = s.receipts(Duration::from_millis(500)).await;
    receipts.sort_by(|a, b| a.message_id.cmp(&b.message_id));
    assert_eq!(receipts.len(), 4, "{receipts:?}");
    let stat = |id: &str| {
        receipts
            .iter()
            .find(|r| r.message_id == id)
            .map(|r| r.stat.clone())
    };
    assert_eq!(stat(&ids[0]).as_deref(), Some("DELIVRD"));
    assert_eq!(stat(&ids[3]).as_deref(), Some("UNDELIV"));
    s.close().await;

    // What the SMSC received: GSM-7 alone; UCS-2 in two parts with the joining header.
    let got = smsc.submitted();
    assert_eq!(got.len(), 4);
    assert_eq!((got[0].data_coding, got[0].esm_class), (0, 0));
    assert_eq!(
        sms::text::gsm_decode(&got[0].message),
        "Domani l'anagrafe è chiusa. Grazie!"
    );
    assert_eq!((got[1].data_coding, got[1].esm_class), (8, 0x40));
    assert_eq!(&got[1].message[..6], &[5, 0, 3, 2, 2, 1]);
    assert_eq!(&got[2].message[..6], &[5, 0, 3, 2, 2, 2]);
    let utf16: Vec<u16> = got[1].message[6..]
        .chunks(2)
        .chain(got[2].message[6..].chunks(2))
        .map(|c| u16::from_be_bytes([c[0], c[1]]))
        .collect();
    assert_eq!(String::from_utf16(&utf16).unwrap(), long);
    assert_eq!(got[1].message.len() - 6, 67 * 2);
}

#[tokio::test]
async fn a_gateway_down_or_a_wrong_password_is_said_plainly() {
    let mut smsc = Smsc::start().await;
    let mut config = Config::from_url(&smsc.url()).unwrap();
    config.password = "sbagliata".into();
    match Session::open(&config).await {
        Err(SmppError::Bind(0x0E)) => {}
        other => panic!("expected a refused bind, got {:?}", other.err()),
    }
    smsc.stop();
    config.password = testkit::smsc::PASSWORD.into();
    let e = Session::open(&config).await.err().unwrap();
    assert!(matches!(e, SmppError::Connect(_)), "{e:?}");
    assert!(e.to_string().contains("non raggiungibile"));
}
