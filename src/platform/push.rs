//! Web Push to the browsers that asked for it: each message is encrypted for its browser
//! (RFC 8291, the `aes128gcm` content coding of RFC 8188) and signed for the push service with
//! the server's VAPID key (RFC 8292), then POSTed to the browser's push service. The key pair
//! is generated on first start and kept in the database, so every instance signs with the same
//! one and browsers' subscriptions outlive restarts.

use std::time::Duration;

use data_encoding::BASE64URL_NOPAD;
use ring::{
    aead, agreement, hkdf,
    rand::{SecureRandom, SystemRandom},
    signature::{self, EcdsaKeyPair, KeyPair},
};

/// The size of the one record a message is sent as (RFC 8188): the payload, its delimiter and
/// the tag must fit.
const RECORD_SIZE: u32 = 4096;
/// The most a payload may be (the record less the 16-byte tag and the delimiter).
pub const MAX_PAYLOAD: usize = RECORD_SIZE as usize - 17;
/// How long a push service keeps a message for a browser that is offline.
const TTL_SECS: u32 = 24 * 60 * 60;
/// A push service that does not answer in this time is given up on for this message.
const TIMEOUT: Duration = Duration::from_secs(10);

/// Where a browser is pushed to and the keys its messages are encrypted for (what
/// `PushManager.subscribe` gave it).
#[derive(Debug, Clone)]
pub struct Subscription {
    pub endpoint: String,
    /// The browser's P-256 public key, uncompressed (65 bytes).
    pub p256dh: Vec<u8>,
    /// Its 16-byte authentication secret.
    pub auth: Vec<u8>,
}

impl Subscription {
    /// From the browser's own form (`keys.p256dh`, `keys.auth`, base64url), checked: an
    /// `https` endpoint (or `http` when `allow_http`, for a local test service), a P-256 point
    /// and a 16-byte secret.
    pub fn parse(endpoint: &str, p256dh: &str, auth: &str, allow_http: bool) -> Option<Self> {
        let url = url::Url::parse(endpoint).ok()?;
        let scheme_ok = url.scheme() == "https" || (allow_http && url.scheme() == "http");
        if !scheme_ok || url.host_str().is_none() || endpoint.len() > 2000 {
            return None;
        }
        let p256dh = BASE64URL_NOPAD
            .decode(p256dh.trim_end_matches('=').as_bytes())
            .ok()?;
        let auth = BASE64URL_NOPAD
            .decode(auth.trim_end_matches('=').as_bytes())
            .ok()?;
        (p256dh.len() == 65 && p256dh[0] == 4 && auth.len() == 16).then(|| Subscription {
            endpoint: endpoint.to_string(),
            p256dh,
            auth,
        })
    }
}

/// The server's VAPID identity: the key pair that signs every push and the contact it names.
pub struct Vapid {
    key_pair: EcdsaKeyPair,
    subject: String,
}

impl Vapid {
    /// A new private key, PKCS#8 (what is stored).
    pub fn generate() -> Vec<u8> {
        let rng = SystemRandom::new();
        EcdsaKeyPair::generate_pkcs8(&signature::ECDSA_P256_SHA256_FIXED_SIGNING, &rng)
            .expect("the system's random source works")
            .as_ref()
            .to_vec()
    }

    /// The identity of a stored key; `subject` is a `mailto:` or `https:` contact for the push
    /// services' operators.
    pub fn from_pkcs8(pkcs8: &[u8], subject: &str) -> Option<Vapid> {
        let key_pair = EcdsaKeyPair::from_pkcs8(
            &signature::ECDSA_P256_SHA256_FIXED_SIGNING,
            pkcs8,
            &SystemRandom::new(),
        )
        .ok()?;
        Some(Vapid {
            key_pair,
            subject: subject.to_string(),
        })
    }

    /// The public key as browsers take it (`applicationServerKey`): base64url, uncompressed.
    pub fn public_key(&self) -> String {
        BASE64URL_NOPAD.encode(self.key_pair.public_key().as_ref())
    }

    /// The `Authorization` header for a push to `endpoint`: a JWT for the endpoint's origin,
    /// valid 12 hours, signed ES256, and the key to check it with.
    pub fn authorization(&self, endpoint: &str, now: i64) -> Option<String> {
        let url = url::Url::parse(endpoint).ok()?;
        let audience = url.origin().ascii_serialization();
        let header = BASE64URL_NOPAD.encode(br#"{"typ":"JWT","alg":"ES256"}"#);
        let claims = serde_json::json!({
            "aud": audience,
            "exp": now + 12 * 60 * 60,
            "sub": self.subject,
        });
        let claims = BASE64URL_NOPAD.encode(claims.to_string().as_bytes());
        let signed = format!("{header}.{claims}");
        let signature = self
            .key_pair
            .sign(&SystemRandom::new(), signed.as_bytes())
            .ok()?;
        Some(format!(
            "vapid t={signed}.{}, k={}",
            BASE64URL_NOPAD.encode(signature.as_ref()),
            self.public_key()
        ))
    }
}

/// Where the server's VAPID private key is kept (`app_meta`, PKCS#8 in base64url).
const VAPID_KEY: &str = "vapid_private_key";

/// Sends pushes: the server's VAPID identity and an HTTP client that calls only the addresses
/// `platform::outbound` allows (an endpoint is a URL a person gave). Built once at start.
pub struct Pusher {
    pub vapid: Vapid,
    http: super::outbound::Client,
    /// Push services on plain HTTP are taken (`PUSH_ALLOW_HTTP`, a local test service).
    pub allow_http: bool,
}

impl Pusher {
    /// The server's identity: the key kept in the database, or a new one kept there now.
    pub async fn load(
        db: &sea_orm::DatabaseConnection,
        config: &super::config::PushConfig,
        to_private: bool,
    ) -> Result<Pusher, String> {
        let stored =
            super::meta::kept_or_stored(db, VAPID_KEY, BASE64URL_NOPAD.encode(&Vapid::generate()))
                .await
                .map_err(|e| format!("cannot keep the Web Push key: {e}"))?;
        let pkcs8 = BASE64URL_NOPAD
            .decode(stored.as_bytes())
            .map_err(|_| "the stored Web Push key is not base64url".to_string())?;
        let vapid = Vapid::from_pkcs8(&pkcs8, &config.contact)
            .ok_or("the stored Web Push key is not a P-256 key")?;
        let http = super::outbound::Client::new("Bullpen", to_private)
            .map_err(|e| format!("cannot build the Web Push client: {e}"))?;
        Ok(Pusher {
            vapid,
            http,
            allow_http: config.allow_http,
        })
    }

    /// Pushes `payload` to one browser.
    pub async fn push(&self, to: &Subscription, payload: &[u8]) -> Outcome {
        send(&self.http, &self.vapid, to, payload).await
    }
}

/// What became of one push.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Delivered,
    /// The browser unsubscribed or its subscription expired (404, 410), or the outbound policy
    /// refuses its endpoint (its name resolves to a private address now): forget it.
    Gone,
    /// Anything else (the service is down, slow, refuses): tried again with the next message.
    Failed(String),
}

/// Encrypts `payload` for the browser and POSTs it to its push service.
pub async fn send(
    http: &super::outbound::Client,
    vapid: &Vapid,
    to: &Subscription,
    payload: &[u8],
) -> Outcome {
    let Some(body) = encrypt(&to.p256dh, &to.auth, payload) else {
        return Outcome::Failed("the browser's key is not a P-256 key".into());
    };
    let Some(authorization) = vapid.authorization(&to.endpoint, chrono::Utc::now().timestamp())
    else {
        return Outcome::Failed("the endpoint is not a URL".into());
    };
    let Ok(url) = url::Url::parse(&to.endpoint) else {
        return Outcome::Failed("the endpoint is not a URL".into());
    };
    let Ok(request) = http.post(url) else {
        return Outcome::Gone;
    };
    let sent = request
        .timeout(TIMEOUT)
        .header("authorization", authorization)
        .header("content-encoding", "aes128gcm")
        .header("content-type", "application/octet-stream")
        .header("ttl", TTL_SECS.to_string())
        .header("urgency", "normal")
        .body(body)
        .send()
        .await;
    match sent {
        Ok(response) if response.status().is_success() => Outcome::Delivered,
        Ok(response) if matches!(response.status().as_u16(), 404 | 410) => Outcome::Gone,
        Ok(response) => Outcome::Failed(format!("the push service answered {}", response.status())),
        Err(err) if super::outbound::refusal(&err).is_some() => Outcome::Gone,
        Err(err) => Outcome::Failed(err.to_string()),
    }
}

/// `payload` encrypted for a browser's key and secret, with a fresh key pair and salt of ours:
/// the whole `aes128gcm` message (header and one record). None if the key is no P-256 point or
/// the payload is too long for one record.
pub fn encrypt(ua_public: &[u8], auth: &[u8], payload: &[u8]) -> Option<Vec<u8>> {
    if payload.len() > MAX_PAYLOAD {
        return None;
    }
    let rng = SystemRandom::new();
    let ours = agreement::EphemeralPrivateKey::generate(&agreement::ECDH_P256, &rng).ok()?;
    let as_public = ours.compute_public_key().ok()?.as_ref().to_vec();
    let mut salt = [0u8; 16];
    rng.fill(&mut salt).ok()?;
    agreement::agree_ephemeral(
        ours,
        &agreement::UnparsedPublicKey::new(&agreement::ECDH_P256, ua_public),
        |secret| seal(secret, auth, ua_public, &as_public, &salt, payload),
    )
    .ok()
}

/// The message for a shared secret, as RFC 8291 §3.4 derives it: the content key and nonce
/// from the secret, the browser's secret and both public keys; the payload with its last-record
/// delimiter in one AES-128-GCM record behind the RFC 8188 header (salt, record size, our key).
fn seal(
    ecdh_secret: &[u8],
    auth: &[u8],
    ua_public: &[u8],
    as_public: &[u8],
    salt: &[u8],
    payload: &[u8],
) -> Vec<u8> {
    let (cek, nonce) = content_keys(ecdh_secret, auth, ua_public, as_public, salt);
    let mut record = payload.to_vec();
    record.push(0x02);
    let key = aead::LessSafeKey::new(
        aead::UnboundKey::new(&aead::AES_128_GCM, &cek).expect("a 16-byte key"),
    );
    key.seal_in_place_append_tag(
        aead::Nonce::assume_unique_for_key(nonce),
        aead::Aad::empty(),
        &mut record,
    )
    .expect("one record is within AES-GCM's limits");
    let mut message = Vec::with_capacity(16 + 4 + 1 + as_public.len() + record.len());
    message.extend_from_slice(salt);
    message.extend_from_slice(&RECORD_SIZE.to_be_bytes());
    message.push(as_public.len() as u8);
    message.extend_from_slice(as_public);
    message.extend_from_slice(&record);
    message
}

/// The browser's side: the payload of a message, given the secret its own key shares with the
/// key in the message's header. What a test's push service does to read what was sent.
pub fn open(ecdh_secret: &[u8], auth: &[u8], ua_public: &[u8], message: &[u8]) -> Option<Vec<u8>> {
    let (header, rest) = message.split_at_checked(21)?;
    let salt = &header[..16];
    let id_len = header[20] as usize;
    let (as_public, record) = rest.split_at_checked(id_len)?;
    let (cek, nonce) = content_keys(ecdh_secret, auth, ua_public, as_public, salt);
    let key = aead::LessSafeKey::new(aead::UnboundKey::new(&aead::AES_128_GCM, &cek).ok()?);
    let mut record = record.to_vec();
    let plain = key
        .open_in_place(
            aead::Nonce::assume_unique_for_key(nonce),
            aead::Aad::empty(),
            &mut record,
        )
        .ok()?;
    // Padding (zeros) after the delimiter; the last record's delimiter is 2.
    let end = plain.iter().rposition(|b| *b != 0)?;
    (plain[end] == 0x02).then(|| plain[..end].to_vec())
}

/// The header's key, for a receiver that must compute the shared secret first.
pub fn sender_key(message: &[u8]) -> Option<&[u8]> {
    let id_len = *message.get(20)? as usize;
    message.get(21..21 + id_len)
}

/// The content-encryption key and nonce (RFC 8291 §3.4, RFC 8188 §2.2).
fn content_keys(
    ecdh_secret: &[u8],
    auth: &[u8],
    ua_public: &[u8],
    as_public: &[u8],
    salt: &[u8],
) -> ([u8; 16], [u8; 12]) {
    let mut ikm = [0u8; 32];
    expand(
        auth,
        ecdh_secret,
        &[b"WebPush: info\0", ua_public, as_public],
        &mut ikm,
    );
    let mut cek = [0u8; 16];
    expand(salt, &ikm, &[b"Content-Encoding: aes128gcm\0"], &mut cek);
    let mut nonce = [0u8; 12];
    expand(salt, &ikm, &[b"Content-Encoding: nonce\0"], &mut nonce);
    (cek, nonce)
}

/// HKDF-SHA-256: extract with `salt`, expand `info` to fill `out`.
fn expand(salt: &[u8], ikm: &[u8], info: &[&[u8]], out: &mut [u8]) {
    struct Len(usize);
    impl hkdf::KeyType for Len {
        fn len(&self) -> usize {
            self.0
        }
    }
    hkdf::Salt::new(hkdf::HKDF_SHA256, salt)
        .extract(ikm)
        .expand(info, Len(out.len()))
        .and_then(|okm| okm.fill(out))
        .expect("lengths far below HKDF's limit");
}

#[cfg(test)]
mod tests {
    use super::*;

    fn b64(text: &str) -> Vec<u8> {
        BASE64URL_NOPAD.decode(text.as_bytes()).unwrap()
    }

    /// RFC 8291, Appendix A: the example message, byte for byte, from its shared secret.
    #[test]
    fn the_rfc_8291_example_encrypts_byte_for_byte() {
        let ua_public = b64("BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4");
        let as_public = b64("BP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27mlmlMoZIIgDll6e3vCYLocInmYWAmS6TlzAC8wEqKK6PBru3jl7A8");
        let auth = b64("BTBZMqHH6r4Tts7J_aSIgg");
        let salt = b64("DGv6ra1nlYgDCS1FRnbzlw");
        let secret = b64("kyrL1jIIOHEzg3sM2ZWRHDRB62YACZhhSlknJ672kSs");
        let payload = b"When I grow up, I want to be a watermelon";
        let message = seal(&secret, &auth, &ua_public, &as_public, &salt, payload);
        assert_eq!(
            hex::encode(&message),
            "0c6bfaadad67958803092d454676f397000010004104fe33f4ab0dea71914db55823f73b54948f41306d920732dbb9a59a53286482200e597a7b7bc260ba1c227998580992e93973002f3012a28ae8f06bbb78e5ec0ff297de5b429bba7153d3a4ae0caa091fd425f3b4b5414add8ab37a19c1bbb05cf5cb5b2a2e0562d558635641ec52812c6c8ff42e95ccb86be7cd"
        );
        assert_eq!(sender_key(&message), Some(as_public.as_slice()));
        assert_eq!(
            open(&secret, &auth, &ua_public, &message).as_deref(),
            Some(payload.as_slice())
        );
        // Another browser's secret opens nothing.
        assert_eq!(open(&secret, &[7u8; 16], &ua_public, &message), None);
    }

    /// A message encrypted with a fresh key is read by the browser it was meant for.
    #[test]
    fn a_browser_reads_what_was_encrypted_for_it() {
        let rng = SystemRandom::new();
        let browser =
            agreement::EphemeralPrivateKey::generate(&agreement::ECDH_P256, &rng).unwrap();
        let ua_public = browser.compute_public_key().unwrap().as_ref().to_vec();
        let auth = [9u8; 16];
        let message = encrypt(&ua_public, &auth, br#"{"title":"Ana"}"#).unwrap();
        let sender = sender_key(&message).unwrap().to_vec();
        let secret = agreement::agree_ephemeral(
            browser,
            &agreement::UnparsedPublicKey::new(&agreement::ECDH_P256, &sender),
            |s| s.to_vec(),
        )
        .unwrap();
        assert_eq!(
            open(&secret, &auth, &ua_public, &message).unwrap(),
            br#"{"title":"Ana"}"#
        );
        assert!(encrypt(&ua_public, &auth, &vec![b'x'; MAX_PAYLOAD + 1]).is_none());
        assert!(encrypt(&[4u8; 65], &auth, b"x").is_none(), "not a point");
    }

    #[test]
    fn the_vapid_header_is_a_jwt_for_the_origin_that_its_key_verifies() {
        let vapid = Vapid::from_pkcs8(&Vapid::generate(), "mailto:ops@example.com").unwrap();
        let header = vapid
            .authorization("https://push.example.net:8443/send/abc?x=1", 1_800_000_000)
            .unwrap();
        let (token, key) = header
            .strip_prefix("vapid t=")
            .unwrap()
            .split_once(", k=")
            .unwrap();
        assert_eq!(key, vapid.public_key());
        let (signed, signature) = token.rsplit_once('.').unwrap();
        signature::UnparsedPublicKey::new(&signature::ECDSA_P256_SHA256_FIXED, b64(key))
            .verify(signed.as_bytes(), &b64(signature))
            .expect("signed by the VAPID key");
        let claims: serde_json::Value =
            serde_json::from_slice(&b64(signed.split_once('.').unwrap().1)).unwrap();
        assert_eq!(claims["aud"], "https://push.example.net:8443");
        assert_eq!(claims["exp"], 1_800_000_000 + 12 * 3600);
        assert_eq!(claims["sub"], "mailto:ops@example.com");
    }

    #[test]
    fn only_real_subscriptions_are_taken() {
        let key = BASE64URL_NOPAD.encode(&[4u8; 65]);
        let auth = BASE64URL_NOPAD.encode(&[1u8; 16]);
        assert!(Subscription::parse("https://push.example.net/x", &key, &auth, false).is_some());
        assert!(Subscription::parse("http://push.example.net/x", &key, &auth, false).is_none());
        assert!(Subscription::parse("http://127.0.0.1:9/x", &key, &auth, true).is_some());
        assert!(Subscription::parse("file:///etc/passwd", &key, &auth, true).is_none());
        assert!(Subscription::parse("https://push.example.net/x", "short", &auth, false).is_none());
        assert!(
            Subscription::parse("https://push.example.net/x", &key, "c2hvcnQ", false).is_none()
        );
    }
}
