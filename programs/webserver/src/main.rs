//! A reverse proxy to one HTTPS upstream, in the spirit of the original cheatsheet's program
//! (axum + rustls + Trust-DNS). The TLS stack, the trust roots and the resolver are chosen by
//! Cargo features, one of each group; see README.md.

// ---- feature groups: exactly one of each -------------------------------------------------
#[cfg(not(any(
    feature = "tls-rustls-ring",
    feature = "tls-rustls-aws-lc-rs",
    feature = "tls-openssl",
    feature = "tls-openssl-vendored"
)))]
compile_error!(
    "select exactly one TLS feature: tls-rustls-ring, tls-rustls-aws-lc-rs, tls-openssl or tls-openssl-vendored"
);
#[cfg(any(
    all(feature = "tls-rustls-ring", feature = "tls-rustls-aws-lc-rs"),
    all(feature = "tls-rustls-ring", feature = "tls-openssl"),
    all(feature = "tls-rustls-ring", feature = "tls-openssl-vendored"),
    all(feature = "tls-rustls-aws-lc-rs", feature = "tls-openssl"),
    all(feature = "tls-rustls-aws-lc-rs", feature = "tls-openssl-vendored"),
    all(feature = "tls-openssl", feature = "tls-openssl-vendored"),
))]
compile_error!(
    "select exactly one TLS feature, not two: tls-rustls-ring, tls-rustls-aws-lc-rs, tls-openssl or tls-openssl-vendored"
);
#[cfg(not(any(feature = "roots-compiled-in", feature = "roots-system")))]
compile_error!("select exactly one roots feature: roots-compiled-in or roots-system");
#[cfg(all(feature = "roots-compiled-in", feature = "roots-system"))]
compile_error!("select exactly one roots feature, not both: roots-compiled-in or roots-system");
#[cfg(not(any(feature = "dns-hickory", feature = "dns-system")))]
compile_error!("select exactly one DNS feature: dns-hickory or dns-system");
#[cfg(all(feature = "dns-hickory", feature = "dns-system"))]
compile_error!("select exactly one DNS feature, not both: dns-hickory or dns-system");
#[cfg(all(feature = "alloc-mimalloc", feature = "alloc-jemalloc"))]
compile_error!("select at most one allocator feature: alloc-mimalloc or alloc-jemalloc");

#[cfg(feature = "alloc-mimalloc")]
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;
#[cfg(feature = "alloc-jemalloc")]
#[global_allocator]
static GLOBAL: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;
#[cfg(feature = "alloc-mimalloc")]
const ALLOCATOR: &str = "mimalloc";
#[cfg(feature = "alloc-jemalloc")]
const ALLOCATOR: &str = "jemalloc";
#[cfg(not(any(feature = "alloc-mimalloc", feature = "alloc-jemalloc")))]
const ALLOCATOR: &str = "system";

use std::io::Write;
use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{anyhow, bail, Context, Result};
use axum::body::Body;
use axum::http::{header, Request, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use http_body_util::BodyExt;
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;

const UPSTREAM_TIMEOUT: Duration = Duration::from_secs(10);

/// Trust anchors loaded at start-up, by source (a label such as `webpki-roots`, or file paths).
#[derive(Default)]
struct Anchors {
    sources: Vec<(String, usize)>,
}

impl Anchors {
    fn total(&self) -> usize {
        self.sources.iter().map(|(_, n)| n).sum()
    }
    fn describe(&self) -> String {
        if self.sources.is_empty() {
            return "none".into();
        }
        let parts: Vec<String> = self.sources.iter().map(|(s, n)| format!("{s}:{n}")).collect();
        parts.join(",")
    }
}

/// The extra private-CA file named by `EXTRA_ROOTS_FILE` (honoured by every stack).
fn extra_roots_file() -> Option<PathBuf> {
    std::env::var_os("EXTRA_ROOTS_FILE").filter(|v| !v.is_empty()).map(PathBuf::from)
}

// ---- TLS: rustls ------------------------------------------------------------------------
#[cfg(any(feature = "tls-rustls-ring", feature = "tls-rustls-aws-lc-rs"))]
mod tls {
    use super::*;
    use rustls::pki_types::pem::PemObject;
    use rustls::pki_types::{CertificateDer, ServerName};
    use rustls::RootCertStore;
    use std::collections::HashSet;

    #[cfg(feature = "tls-rustls-ring")]
    pub const NAME: &str = "rustls-ring";
    #[cfg(feature = "tls-rustls-aws-lc-rs")]
    pub const NAME: &str = "rustls-aws-lc-rs";

    pub struct Connector(tokio_rustls::TlsConnector);

    fn provider() -> rustls::crypto::CryptoProvider {
        #[cfg(feature = "tls-rustls-ring")]
        return rustls::crypto::ring::default_provider();
        #[cfg(feature = "tls-rustls-aws-lc-rs")]
        return rustls::crypto::aws_lc_rs::default_provider();
    }

    /// Adds certificates not seen before; returns how many were accepted.
    fn add_certs(
        store: &mut RootCertStore,
        seen: &mut HashSet<Vec<u8>>,
        certs: impl IntoIterator<Item = CertificateDer<'static>>,
    ) -> usize {
        let fresh: Vec<_> = certs.into_iter().filter(|c| seen.insert(c.to_vec())).collect();
        store.add_parsable_certificates(fresh).0
    }

    pub fn build() -> Result<(Connector, Anchors)> {
        let mut store = RootCertStore::empty();
        let mut seen = HashSet::new();
        let mut anchors = Anchors::default();

        #[cfg(feature = "roots-compiled-in")]
        {
            store.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
            anchors.sources.push(("webpki-roots".into(), webpki_roots::TLS_SERVER_ROOTS.len()));
        }
        #[cfg(feature = "roots-system")]
        {
            // rustls-native-certs: SSL_CERT_FILE / SSL_CERT_DIR if set, else openssl-probe's guesses.
            let env_file = std::env::var_os("SSL_CERT_FILE");
            let env_dir = std::env::var_os("SSL_CERT_DIR");
            let (file, dirs) = if env_file.is_some() || env_dir.is_some() {
                let dirs = env_dir.map(|d| std::env::split_paths(&d).collect()).unwrap_or_default();
                (env_file.map(PathBuf::from), dirs)
            } else {
                let probe = openssl_probe::probe();
                (probe.cert_file, probe.cert_dir)
            };
            let found = rustls_native_certs::load_native_certs();
            for err in &found.errors {
                eprintln!("webserver warning: system roots: {err}");
            }
            let n = add_certs(&mut store, &mut seen, found.certs);
            let mut label: Vec<String> = file.iter().map(|p| p.display().to_string()).collect();
            label.extend(dirs.iter().map(|p| p.display().to_string()));
            if !label.is_empty() || n > 0 {
                anchors.sources.push((label.join("+"), n));
            }
        }
        if let Some(path) = extra_roots_file() {
            let certs = CertificateDer::pem_file_iter(&path)
                .and_then(|it| it.collect::<Result<Vec<_>, _>>())
                .map_err(|e| anyhow!("EXTRA_ROOTS_FILE {}: {e}", path.display()))?;
            let n = add_certs(&mut store, &mut seen, certs);
            anchors.sources.push((path.display().to_string(), n));
        }

        let config = rustls::ClientConfig::builder_with_provider(Arc::new(provider()))
            .with_safe_default_protocol_versions()
            .context("rustls protocol versions")?
            .with_root_certificates(store)
            .with_no_client_auth();
        Ok((Connector(tokio_rustls::TlsConnector::from(Arc::new(config))), anchors))
    }

    impl Connector {
        pub async fn connect(
            &self,
            host: &str,
            tcp: TcpStream,
        ) -> Result<tokio_rustls::client::TlsStream<TcpStream>> {
            let name = ServerName::try_from(host.to_owned()).context("invalid server name")?;
            self.0.connect(name, tcp).await.context("tls handshake failed")
        }
    }
}

// ---- TLS: OpenSSL -----------------------------------------------------------------------
#[cfg(any(feature = "tls-openssl", feature = "tls-openssl-vendored"))]
mod tls {
    use super::*;
    use openssl::ssl::{SslConnector, SslMethod};
    use std::path::Path;
    use openssl::x509::X509;
    use std::collections::HashSet;
    use std::ffi::CStr;
    use std::pin::Pin;

    #[cfg(feature = "tls-openssl")]
    pub const NAME: &str = "openssl";
    #[cfg(feature = "tls-openssl-vendored")]
    pub const NAME: &str = "openssl-vendored";

    pub struct Connector(SslConnector);

    fn pem_certs(path: &Path) -> std::io::Result<Vec<X509>> {
        let bytes = std::fs::read(path)?;
        X509::stack_from_pem(&bytes).map_err(std::io::Error::other)
    }

    /// OpenSSL's default verify locations: `SSL_CERT_FILE` / `SSL_CERT_DIR`, else the paths
    /// compiled into libcrypto (Debian: /usr/lib/ssl/cert.pem and /usr/lib/ssl/certs).
    #[cfg(feature = "roots-system")]
    fn default_paths() -> (PathBuf, Vec<PathBuf>) {
        fn cstr(p: *const std::os::raw::c_char) -> String {
            unsafe { CStr::from_ptr(p) }.to_string_lossy().into_owned()
        }
        openssl_sys::init();
        let (file_env, file_default, dir_env, dir_default) = unsafe {
            (
                cstr(openssl_sys::X509_get_default_cert_file_env()),
                cstr(openssl_sys::X509_get_default_cert_file()),
                cstr(openssl_sys::X509_get_default_cert_dir_env()),
                cstr(openssl_sys::X509_get_default_cert_dir()),
            )
        };
        let file = std::env::var_os(&file_env).map(PathBuf::from).unwrap_or(file_default.into());
        let dirs = std::env::var_os(&dir_env)
            .map(|d| std::env::split_paths(&d).collect())
            .unwrap_or_else(|| vec![PathBuf::from(dir_default)]);
        (file, dirs)
    }

    /// Counts what OpenSSL's default paths would offer (the dir is looked up lazily by hash:
    /// count its `<8 hex>.<n>` entries), without duplicates.
    #[cfg(feature = "roots-system")]
    fn count_system(file: &Path, dirs: &[PathBuf], seen: &mut HashSet<Vec<u8>>) -> usize {
        let mut n = 0;
        let mut take = |certs: Vec<X509>| {
            for c in certs {
                if let Ok(der) = c.to_der() {
                    if seen.insert(der) {
                        n += 1;
                    }
                }
            }
        };
        if let Ok(certs) = pem_certs(file) {
            take(certs);
        }
        for dir in dirs {
            let Ok(entries) = std::fs::read_dir(dir) else { continue };
            for e in entries.flatten() {
                let name = e.file_name().to_string_lossy().into_owned();
                let hashed = name.len() > 9
                    && name.as_bytes()[8] == b'.'
                    && name[..8].bytes().all(|b| b.is_ascii_hexdigit())
                    && name[9..].bytes().all(|b| b.is_ascii_digit());
                if hashed {
                    if let Ok(certs) = pem_certs(&e.path()) {
                        take(certs);
                    }
                }
            }
        }
        n
    }

    pub fn build() -> Result<(Connector, Anchors)> {
        // SslConnector::builder already calls set_default_verify_paths.
        let mut builder = SslConnector::builder(SslMethod::tls_client()).context("openssl")?;
        let mut anchors = Anchors::default();
        let mut seen: HashSet<Vec<u8>> = HashSet::new();

        #[cfg(feature = "roots-compiled-in")]
        {
            // Replace the default store: only webpki-root-certs (the Mozilla roots as certificates).
            let mut store = openssl::x509::store::X509StoreBuilder::new().context("openssl store")?;
            let mut n = 0;
            for der in webpki_root_certs::TLS_SERVER_ROOT_CERTS {
                let cert = X509::from_der(der).context("webpki-root-certs")?;
                seen.insert(der.to_vec());
                store.add_cert(cert).context("openssl store")?;
                n += 1;
            }
            builder.set_cert_store(store.build());
            anchors.sources.push(("webpki-root-certs".into(), n));
        }
        #[cfg(feature = "roots-system")]
        {
            let (file, dirs) = default_paths();
            let n = count_system(&file, &dirs, &mut seen);
            let mut label = vec![file.display().to_string()];
            label.extend(dirs.iter().map(|d| d.display().to_string()));
            anchors.sources.push((label.join("+"), n));
        }
        if let Some(path) = extra_roots_file() {
            let certs = pem_certs(&path).map_err(|e| anyhow!("EXTRA_ROOTS_FILE {}: {e}", path.display()))?;
            let mut n = 0;
            for cert in certs {
                let der = cert.to_der().context("EXTRA_ROOTS_FILE")?;
                if seen.insert(der) {
                    builder.cert_store_mut().add_cert(cert).context("EXTRA_ROOTS_FILE")?;
                    n += 1;
                }
            }
            anchors.sources.push((path.display().to_string(), n));
        }
        Ok((Connector(builder.build()), anchors))
    }

    impl Connector {
        pub async fn connect(
            &self,
            host: &str,
            tcp: TcpStream,
        ) -> Result<tokio_openssl::SslStream<TcpStream>> {
            // configure() turns on SNI and host name verification.
            let ssl = self.0.configure()?.into_ssl(host).context("openssl ssl")?;
            let mut stream = tokio_openssl::SslStream::new(ssl, tcp).context("openssl stream")?;
            if let Err(e) = Pin::new(&mut stream).connect().await {
                let verify = stream.ssl().verify_result();
                let msg = e.to_string();
                return Err(match verify.as_raw() {
                    0 => anyhow!("tls handshake failed: {msg}"),
                    _ => anyhow!("tls handshake failed: {msg}: verify result: {}", verify.error_string()),
                });
            }
            Ok(stream)
        }
    }
}

// ---- DNS ----------------------------------------------------------------------------------
#[cfg(feature = "dns-hickory")]
mod dns {
    use super::*;
    pub const NAME: &str = "hickory";
    pub struct Resolver(hickory_resolver::TokioResolver);

    pub fn build() -> Result<Resolver> {
        // Reads /etc/resolv.conf.
        let r = hickory_resolver::TokioResolver::builder_tokio()
            .context("hickory: reading system resolver configuration")?
            .build()
            .context("hickory resolver")?;
        Ok(Resolver(r))
    }

    impl Resolver {
        pub async fn resolve(&self, host: &str, port: u16) -> Result<Vec<SocketAddr>> {
            let found = self.0.lookup_ip(host).await.with_context(|| format!("dns error: {host}"))?;
            Ok(found.iter().map(|ip| SocketAddr::new(ip, port)).collect())
        }
    }
}

#[cfg(feature = "dns-system")]
mod dns {
    use super::*;
    pub const NAME: &str = "system";
    pub struct Resolver;

    pub fn build() -> Result<Resolver> {
        Ok(Resolver)
    }

    impl Resolver {
        pub async fn resolve(&self, host: &str, port: u16) -> Result<Vec<SocketAddr>> {
            // getaddrinfo on tokio's blocking pool.
            let found = tokio::net::lookup_host((host, port))
                .await
                .with_context(|| format!("dns error: {host}"))?;
            Ok(found.collect())
        }
    }
}

#[cfg(feature = "roots-compiled-in")]
const ROOTS: &str = "compiled-in";
#[cfg(feature = "roots-system")]
const ROOTS: &str = "system";

// ---- proxy --------------------------------------------------------------------------------
struct Upstream {
    host: String,
    port: u16,
    /// Base path without a trailing slash.
    base: String,
    authority: String,
}

fn parse_upstream(url: &str) -> Result<Upstream> {
    let uri: Uri = url.parse().with_context(|| format!("UPSTREAM_URL {url:?}"))?;
    if uri.scheme_str() != Some("https") {
        bail!("UPSTREAM_URL {url:?}: scheme must be https");
    }
    let auth = uri.authority().ok_or_else(|| anyhow!("UPSTREAM_URL {url:?}: no host"))?;
    let host = auth.host().trim_start_matches('[').trim_end_matches(']').to_string();
    Ok(Upstream {
        port: auth.port_u16().unwrap_or(443),
        authority: auth.as_str().to_string(),
        base: uri.path().trim_end_matches('/').to_string(),
        host,
    })
}

struct App {
    tls: tls::Connector,
    dns: dns::Resolver,
    upstream: Option<Upstream>,
}

impl App {
    async fn resolve_upstream(&self) -> Result<Vec<SocketAddr>> {
        let up = self.upstream.as_ref().ok_or_else(|| anyhow!("UPSTREAM_URL is not set"))?;
        let addrs = match up.host.parse::<IpAddr>() {
            Ok(ip) => vec![SocketAddr::new(ip, up.port)],
            Err(_) => self.dns.resolve(&up.host, up.port).await?,
        };
        if addrs.is_empty() {
            bail!("dns error: {}: no addresses", up.host);
        }
        Ok(addrs)
    }

    async fn fetch(&self, rest: &str) -> Result<(StatusCode, Option<header::HeaderValue>, axum::body::Bytes)> {
        let up = self.upstream.as_ref().ok_or_else(|| anyhow!("UPSTREAM_URL is not set"))?;
        let addrs = self.resolve_upstream().await?;
        let mut last = None;
        let mut tcp = None;
        for addr in &addrs {
            match TcpStream::connect(addr).await {
                Ok(s) => {
                    tcp = Some(s);
                    break;
                }
                Err(e) => last = Some(anyhow!(e).context(format!("connect error: {addr}"))),
            }
        }
        let tcp = match tcp {
            Some(t) => t,
            None => return Err(last.unwrap()),
        };
        let stream = self.tls.connect(&up.host, tcp).await?;
        let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
            .await
            .context("http handshake")?;
        tokio::spawn(conn);
        let req = Request::get(format!("{}/{}", up.base, rest))
            .header(header::HOST, &up.authority)
            .header(header::USER_AGENT, "webserver")
            .body(http_body_util::Empty::<axum::body::Bytes>::new())
            .context("request")?;
        let resp = sender.send_request(req).await.context("http request failed")?;
        let status = resp.status();
        let ctype = resp.headers().get(header::CONTENT_TYPE).cloned();
        let body = resp.into_body().collect().await.context("reading upstream body")?.to_bytes();
        Ok((status, ctype, body))
    }
}

async fn proxy(axum::extract::State(app): axum::extract::State<Arc<App>>, uri: Uri) -> Response {
    let path = uri.path().strip_prefix("/proxy").unwrap_or("").trim_start_matches('/');
    let rest = match uri.query() {
        Some(q) => format!("{path}?{q}"),
        None => path.to_string(),
    };
    match tokio::time::timeout(UPSTREAM_TIMEOUT, app.fetch(&rest)).await {
        Ok(Ok((status, ctype, body))) => {
            let mut r = Response::builder().status(status);
            if let Some(ct) = ctype {
                r = r.header(header::CONTENT_TYPE, ct);
            }
            r.body(Body::from(body)).unwrap_or_else(|_| StatusCode::BAD_GATEWAY.into_response())
        }
        Ok(Err(e)) => bad_gateway(chain(&e)),
        Err(_) => bad_gateway(format!("upstream timed out after {}s", UPSTREAM_TIMEOUT.as_secs())),
    }
}

/// `GET /resolve`: the upstream's host name resolved with the configured resolver, nothing more.
async fn resolve(axum::extract::State(app): axum::extract::State<Arc<App>>) -> Response {
    match tokio::time::timeout(UPSTREAM_TIMEOUT, app.resolve_upstream()).await {
        Ok(Ok(addrs)) => {
            let list: Vec<String> = addrs.iter().map(|a| a.ip().to_string()).collect();
            (StatusCode::OK, list.join(" ")).into_response()
        }
        Ok(Err(e)) => bad_gateway(chain(&e)),
        Err(_) => bad_gateway(format!("dns error: timed out after {}s", UPSTREAM_TIMEOUT.as_secs())),
    }
}

// ---- benchmark endpoints --------------------------------------------------------------------
#[cfg(feature = "bench")]
mod bench {
    use serde_json::{json, Value};
    use std::sync::OnceLock;

    const OBJECTS: usize = 400;

    /// A JSON document of OBJECTS objects with strings, numbers, arrays and a nested object.
    fn document() -> &'static str {
        static DOC: OnceLock<String> = OnceLock::new();
        DOC.get_or_init(|| {
            let items: Vec<Value> = (0..OBJECTS)
                .map(|i| {
                    json!({
                        "id": i,
                        "name": format!("item-{i}"),
                        "tags": ["alpha", "beta", format!("t{}", i % 7)],
                        "price": (i as f64) * 1.25,
                        "owner": {"login": format!("user{}", i % 31), "active": i % 2 == 0},
                    })
                })
                .collect();
            json!({"items": items}).to_string()
        })
    }

    /// Allocator-bound: parse the document, change every object, serialise it again.
    pub async fn alloc() -> String {
        let mut v: Value = serde_json::from_str(document()).expect("the document is valid JSON");
        if let Some(items) = v["items"].as_array_mut() {
            for item in items.iter_mut() {
                item["seen"] = Value::Bool(true);
                if let Some(tags) = item["tags"].as_array_mut() {
                    tags.push(Value::String(String::from("served")));
                }
            }
        }
        let out = serde_json::to_string(&v).expect("serialisable");
        out.len().to_string()
    }

    /// CPU only: integer arithmetic on the stack, no allocation beyond the response.
    pub async fn cpu() -> String {
        let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut acc: u64 = 0;
        for i in 0..200_000u64 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            acc = acc.wrapping_add(x.rotate_left((i % 63) as u32));
        }
        std::hint::black_box(acc).to_string()
    }
}

/// The error chain on one line, `a: b: c`, skipping a cause whose text the previous message
/// already ends with (some libraries repeat their source in their own Display).
fn chain(e: &anyhow::Error) -> String {
    let mut out = String::new();
    for cause in e.chain() {
        let msg = cause.to_string();
        if out.ends_with(&msg) {
            continue;
        }
        if !out.is_empty() {
            out.push_str(": ");
        }
        out.push_str(&msg);
    }
    out.replace(['\n', '\r'], " ")
}

fn bad_gateway(msg: String) -> Response {
    let one_line = msg.replace(['\n', '\r'], " ");
    (StatusCode::BAD_GATEWAY, [(header::CONTENT_TYPE, "text/plain; charset=utf-8")], one_line).into_response()
}

async fn run() -> Result<()> {
    let listen = std::env::var("LISTEN").unwrap_or_else(|_| "0.0.0.0:8080".into());
    let upstream = match std::env::var("UPSTREAM_URL") {
        Ok(u) if !u.is_empty() => Some(parse_upstream(&u)?),
        _ => None,
    };
    let (tls, anchors) = tls::build()?;
    let dns = dns::build()?;
    let app = Arc::new(App { tls, dns, upstream });
    let router = Router::new()
        .route("/health", get(|| async { "ok" }))
        .route("/resolve", get(resolve))
        .route("/proxy", get(proxy))
        .route("/proxy/", get(proxy))
        .route("/proxy/{*path}", get(proxy))
        .with_state(app);
    #[cfg(feature = "bench")]
    let router = router.route("/alloc", get(bench::alloc)).route("/cpu", get(bench::cpu));
    let listener = tokio::net::TcpListener::bind(&listen).await.with_context(|| format!("listen on {listen}"))?;
    let local = listener.local_addr().context("listen address")?;
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "webserver tls={} roots={} anchors={} roots_from={} resolver={} allocator={} listen={}",
        tls::NAME,
        ROOTS,
        anchors.total(),
        anchors.describe(),
        dns::NAME,
        ALLOCATOR,
        local
    )
    .and_then(|_| out.flush())
    .context("stdout")?;
    drop(out);
    axum::serve(listener, router).await.context("serve")?;
    Ok(())
}

fn main() {
    // WORKERS sets the number of runtime threads (default: one per CPU, as #[tokio::main]).
    let mut runtime = tokio::runtime::Builder::new_multi_thread();
    if let Some(n) = std::env::var("WORKERS").ok().and_then(|v| v.parse::<usize>().ok()).filter(|n| *n > 0) {
        runtime.worker_threads(n);
    }
    let result = runtime
        .enable_all()
        .build()
        .context("tokio runtime")
        .and_then(|rt| rt.block_on(run()));
    if let Err(e) = result {
        eprintln!("webserver error: {}", chain(&e));
        std::process::exit(1);
    }
}
