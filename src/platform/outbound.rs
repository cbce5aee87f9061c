//! The one policy for every address a person gives the server to call — outgoing webhooks, Web
//! Push endpoints, anything later: public addresses only. A name is checked where it is
//! resolved, at the moment of connecting (the client's resolver refuses a name with any private
//! address, so a name that resolves to 127.0.0.1 only later is refused then); an address written
//! as an IP is checked before the request (the resolver never sees it); redirects are not
//! followed. `OUTBOUND_TO_PRIVATE_ADDRESSES=on` lifts the policy for one network one trusts (and
//! the tests' local receivers).

use std::{
    error::Error,
    fmt,
    net::{IpAddr, SocketAddr},
    sync::Arc,
};

use reqwest::{
    dns::{Addrs, Name, Resolve, Resolving},
    Url,
};

/// Why an address is not called.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refused {
    /// It is, or its name resolves to, this machine or a private, shared, link-local,
    /// multicast or reserved network.
    Private,
    /// Its name resolves to nothing.
    Unresolved,
}

impl fmt::Display for Refused {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Refused::Private => "the address is on a private network",
            Refused::Unresolved => "the address's name resolves to nothing",
        })
    }
}

impl Error for Refused {}

/// Whether an address is one a person's URL may not reach: this machine, a private or shared
/// network, link-local, multicast, reserved or unspecified.
pub fn private(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let [a, b, ..] = v4.octets();
            v4.is_loopback()
                || v4.is_private()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_broadcast()
                || v4.is_multicast()
                || v4.is_documentation()
                || a == 0
                || a >= 240
                || (a == 100 && (64..128).contains(&b))
                || (a == 198 && (b == 18 || b == 19))
        }
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return private(IpAddr::V4(v4));
            }
            let first = v6.segments()[0];
            v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (first & 0xfe00) == 0xfc00
                || (first & 0xffc0) == 0xfe80
                || (first == 0x2001 && v6.segments()[1] == 0x0db8)
        }
    }
}

/// The host of a URL as an IP, when it is written as one (`https://127.0.0.1/`, `http://[::1]/`).
fn literal(url: &Url) -> Option<IpAddr> {
    match url.host()? {
        url::Host::Ipv4(v4) => Some(IpAddr::V4(v4)),
        url::Host::Ipv6(v6) => Some(IpAddr::V6(v6)),
        url::Host::Domain(_) => None,
    }
}

/// Checks an address now, resolving its name: for refusing a URL when a person gives it (the
/// client checks again when it connects).
pub async fn check(url: &Url, to_private: bool) -> Result<(), Refused> {
    if to_private {
        return Ok(());
    }
    if let Some(ip) = literal(url) {
        return if private(ip) {
            Err(Refused::Private)
        } else {
            Ok(())
        };
    }
    let host = url.host_str().ok_or(Refused::Unresolved)?;
    let port = url.port_or_known_default().unwrap_or(443);
    public_addresses(host, port).await.map(drop)
}

/// Every address `host` resolves to, if none of them is private.
async fn public_addresses(host: &str, port: u16) -> Result<Vec<SocketAddr>, Refused> {
    let found: Vec<SocketAddr> = tokio::net::lookup_host((host, port))
        .await
        .map_err(|_| Refused::Unresolved)?
        .collect();
    if found.is_empty() {
        return Err(Refused::Unresolved);
    }
    if found.iter().any(|a| private(a.ip())) {
        return Err(Refused::Private);
    }
    Ok(found)
}

/// The resolver of an outbound client: a name with any private address is refused.
struct PublicOnly;

impl Resolve for PublicOnly {
    fn resolve(&self, name: Name) -> Resolving {
        Box::pin(async move {
            let found = public_addresses(name.as_str(), 0)
                .await
                .map_err(|refused| Box::new(refused) as Box<dyn Error + Send + Sync>)?;
            Ok(Box::new(found.into_iter()) as Addrs)
        })
    }
}

/// An HTTP client for the addresses people give: it connects only where the policy allows
/// and follows no redirect.
#[derive(Clone)]
pub struct Client {
    http: reqwest::Client,
    to_private: bool,
}

impl Client {
    /// A client that names itself `user_agent`; `to_private` lifts the policy.
    pub fn new(user_agent: &str, to_private: bool) -> reqwest::Result<Client> {
        let mut builder = reqwest::Client::builder()
            .user_agent(user_agent)
            .redirect(reqwest::redirect::Policy::none());
        if !to_private {
            builder = builder.dns_resolver(Arc::new(PublicOnly));
        }
        Ok(Client {
            http: builder.build()?,
            to_private,
        })
    }

    /// A POST to `url`, unless it is written as an address the policy refuses.
    pub fn post(&self, url: Url) -> Result<reqwest::RequestBuilder, Refused> {
        if !self.to_private && literal(&url).is_some_and(private) {
            return Err(Refused::Private);
        }
        Ok(self.http.post(url))
    }
}

/// Why a request of an outbound client failed, when the policy refused its address.
pub fn refusal(err: &reqwest::Error) -> Option<Refused> {
    let mut source = err.source();
    while let Some(cause) = source {
        if let Some(refused) = cause.downcast_ref::<Refused>() {
            return Some(*refused);
        }
        source = cause.source();
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn private_and_local_addresses_are_known() {
        for ip in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "0.0.0.0",
            "100.64.0.1",
            "255.255.255.255",
            "::1",
            "::",
            "fd00::1",
            "fe80::1",
            "::ffff:127.0.0.1",
            "::ffff:10.0.0.1",
        ] {
            assert!(private(ip.parse().unwrap()), "{ip}");
        }
        for ip in [
            "93.184.216.34",
            "8.8.8.8",
            "2606:4700::1111",
            "::ffff:8.8.8.8",
        ] {
            assert!(!private(ip.parse().unwrap()), "{ip}");
        }
    }

    #[tokio::test]
    async fn loopback_is_refused_however_it_is_written() {
        for url in [
            "https://127.0.0.1:9/push",
            "https://[::1]:9/push",
            "https://localhost:9/push",
            "https://[::ffff:127.0.0.1]/push",
            "http://0.0.0.0/",
            "https://169.254.169.254/latest/meta-data",
        ] {
            let url = Url::parse(url).unwrap();
            assert_eq!(check(&url, false).await, Err(Refused::Private), "{url}");
            assert_eq!(check(&url, true).await, Ok(()), "{url}");
        }
        let public = Url::parse("https://93.184.216.34/hook").unwrap();
        assert_eq!(check(&public, false).await, Ok(()));
    }

    #[tokio::test]
    async fn the_client_refuses_a_private_address_when_it_connects() {
        let client = Client::new("test", false).unwrap();
        // Written as an IP: refused before anything is sent.
        assert!(matches!(
            client.post(Url::parse("http://127.0.0.1:9/").unwrap()),
            Err(Refused::Private)
        ));
        // A name: its resolver refuses it when the request connects.
        let sent = client
            .post(Url::parse("http://localhost:9/").unwrap())
            .unwrap()
            .send()
            .await
            .unwrap_err();
        assert_eq!(refusal(&sent), Some(Refused::Private), "{sent:?}");
        // Lifted: a local receiver is reached (here nobody listens: not a refusal).
        let open = Client::new("test", true).unwrap();
        let sent = open
            .post(Url::parse("http://localhost:9/").unwrap())
            .unwrap()
            .send()
            .await
            .unwrap_err();
        assert_eq!(refusal(&sent), None);
    }
}
