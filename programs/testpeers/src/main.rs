//! Local peers for end-to-end tests of the webserver on a private Docker network, all in one
//! static binary so each runs FROM scratch:
//!
//!   testpeers certs --out DIR --name upstream.test [--name ...]
//!   testpeers dns   --listen 0.0.0.0:53 --answer upstream.test=172.28.0.3 [--answer ...]
//!   testpeers https --listen 0.0.0.0:8443 --cert leaf.pem --key leaf.key [--name upstream.test]
//!   testpeers get   URL [--timeout SECS]
//!
//! Servers print one `ready ...` line to stdout once listening. Threads and blocking I/O only.

use std::collections::HashMap;
use std::io::{BufReader, Read, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream, ToSocketAddrs, UdpSocket};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

type Result<T> = std::result::Result<T, Box<dyn std::error::Error + Send + Sync>>;

const USAGE: &str = "usage:
  testpeers certs --out DIR --name NAME [--name NAME ...]
  testpeers dns   --listen ADDR --answer NAME=IPV4 [--answer ...]
  testpeers https --listen ADDR --cert leaf.pem --key leaf.key [--name NAME]
  testpeers get   URL [--timeout SECS]";

/// `--flag value` pairs (repeatable) plus positional arguments.
struct Args {
    flags: Vec<(String, String)>,
    positional: Vec<String>,
}

impl Args {
    fn parse(args: impl Iterator<Item = String>) -> Result<Args> {
        let mut flags = Vec::new();
        let mut positional = Vec::new();
        let mut it = args.peekable();
        while let Some(a) = it.next() {
            if let Some(name) = a.strip_prefix("--") {
                let v = it.next().ok_or_else(|| format!("--{name} needs a value"))?;
                flags.push((name.to_string(), v));
            } else {
                positional.push(a);
            }
        }
        Ok(Args { flags, positional })
    }
    fn all(&self, name: &str) -> Vec<&str> {
        self.flags.iter().filter(|(k, _)| k == name).map(|(_, v)| v.as_str()).collect()
    }
    fn one(&self, name: &str) -> Result<&str> {
        self.opt(name).ok_or_else(|| format!("--{name} is required").into())
    }
    fn opt(&self, name: &str) -> Option<&str> {
        self.all(name).last().copied()
    }
}

fn main() {
    let mut argv = std::env::args().skip(1);
    let cmd = argv.next().unwrap_or_default();
    let result = Args::parse(argv).and_then(|args| match cmd.as_str() {
        "certs" => certs(&args),
        "dns" => dns(&args),
        "https" => https(&args),
        "get" => get(&args),
        _ => Err(USAGE.into()),
    });
    if let Err(e) = result {
        eprintln!("testpeers {cmd} error: {e}");
        std::process::exit(2);
    }
}

fn ready(line: String) {
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "ready {line}");
    let _ = out.flush();
}

// ---- certs --------------------------------------------------------------------------------
fn certs(args: &Args) -> Result<()> {
    use rcgen::{
        BasicConstraints, CertificateParams, DistinguishedName, DnType, ExtendedKeyUsagePurpose,
        IsCa, Issuer, KeyPair, KeyUsagePurpose,
    };
    let out = PathBuf::from(args.one("out")?);
    let names: Vec<String> = args.all("name").into_iter().map(String::from).collect();
    if names.is_empty() {
        return Err("--name is required".into());
    }
    std::fs::create_dir_all(&out)?;

    let ca_key = KeyPair::generate()?;
    let mut ca = CertificateParams::new(Vec::<String>::new())?;
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca.distinguished_name = DistinguishedName::new();
    ca.distinguished_name.push(DnType::CommonName, "rust-docker-cheatsheet test CA");
    ca.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign, KeyUsagePurpose::DigitalSignature];
    let ca_cert = ca.self_signed(&ca_key)?;
    let issuer = Issuer::new(ca, &ca_key);

    let leaf_key = KeyPair::generate()?;
    let mut leaf = CertificateParams::new(names.clone())?;
    leaf.distinguished_name = DistinguishedName::new();
    leaf.distinguished_name.push(DnType::CommonName, names[0].as_str());
    leaf.is_ca = IsCa::NoCa;
    leaf.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    leaf.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    leaf.use_authority_key_identifier_extension = true;
    let leaf_cert = leaf.signed_by(&leaf_key, &issuer)?;

    std::fs::write(out.join("ca.pem"), ca_cert.pem())?;
    std::fs::write(out.join("ca.key"), ca_key.serialize_pem())?;
    std::fs::write(out.join("leaf.pem"), leaf_cert.pem())?;
    std::fs::write(out.join("leaf.key"), leaf_key.serialize_pem())?;
    ready(format!(
        "certs dir={} files=ca.pem,ca.key,leaf.pem,leaf.key names={}",
        out.display(),
        names.join(",")
    ));
    Ok(())
}

// ---- dns ----------------------------------------------------------------------------------
type Answers = Arc<HashMap<String, Vec<Ipv4Addr>>>;

fn dns(args: &Args) -> Result<()> {
    let listen: SocketAddr = args.one("listen")?.parse()?;
    let mut map: HashMap<String, Vec<Ipv4Addr>> = HashMap::new();
    for a in args.all("answer") {
        let (name, ip) = a.split_once('=').ok_or_else(|| format!("--answer {a}: want NAME=IPV4"))?;
        let ip: Ipv4Addr = ip.parse().map_err(|e| format!("--answer {a}: {e}"))?;
        map.entry(name.trim_end_matches('.').to_ascii_lowercase()).or_default().push(ip);
    }
    let answers: Answers = Arc::new(map);
    let udp = UdpSocket::bind(listen)?;
    let tcp = TcpListener::bind(listen)?;
    {
        let answers = answers.clone();
        std::thread::spawn(move || {
            for conn in tcp.incoming().flatten() {
                let answers = answers.clone();
                std::thread::spawn(move || {
                    let _ = dns_tcp(conn, &answers);
                });
            }
        });
    }
    let mut names: Vec<String> = answers.iter().map(|(k, v)| format!("{k}={v:?}")).collect();
    names.sort();
    ready(format!("dns listen={listen} udp,tcp answers={}", names.join(";")));
    let mut buf = [0u8; 1500];
    loop {
        let (n, peer) = udp.recv_from(&mut buf)?;
        if let Some(resp) = dns_answer(&buf[..n], &answers) {
            let _ = udp.send_to(&resp, peer);
        }
    }
}

fn dns_tcp(mut conn: TcpStream, answers: &Answers) -> std::io::Result<()> {
    conn.set_read_timeout(Some(Duration::from_secs(10)))?;
    loop {
        let mut len = [0u8; 2];
        conn.read_exact(&mut len)?;
        let mut msg = vec![0u8; u16::from_be_bytes(len) as usize];
        conn.read_exact(&mut msg)?;
        let Some(resp) = dns_answer(&msg, answers) else { return Ok(()) };
        let mut framed = (resp.len() as u16).to_be_bytes().to_vec();
        framed.extend_from_slice(&resp);
        conn.write_all(&framed)?;
    }
}

/// Answers one query: A records for known names, empty NOERROR for other types of a known
/// name, NXDOMAIN for unknown names. Authoritative, no EDNS, no compression beyond the answer's
/// pointer to the question name.
fn dns_answer(q: &[u8], answers: &Answers) -> Option<Vec<u8>> {
    if q.len() < 12 || q[2] & 0x80 != 0 {
        return None;
    }
    let qdcount = u16::from_be_bytes([q[4], q[5]]);
    let opcode = (q[2] >> 3) & 0x0f;
    let mut resp = Vec::with_capacity(512);
    resp.extend_from_slice(&q[0..2]);
    let flags_hi = 0x80 | (q[2] & 0x79) | 0x04; // QR, opcode, AA, RD copied
    if qdcount != 1 || opcode != 0 {
        let rcode = if opcode != 0 { 4 } else { 1 }; // NOTIMP / FORMERR
        resp.extend_from_slice(&[flags_hi, rcode, 0, 0, 0, 0, 0, 0, 0, 0]);
        return Some(resp);
    }
    // question name
    let mut i = 12;
    let mut labels = Vec::new();
    loop {
        let len = *q.get(i)? as usize;
        i += 1;
        if len == 0 {
            break;
        }
        if len & 0xc0 != 0 {
            return None;
        }
        labels.push(String::from_utf8_lossy(q.get(i..i + len)?).to_ascii_lowercase());
        i += len;
    }
    let qtype = u16::from_be_bytes([*q.get(i)?, *q.get(i + 1)?]);
    let question = &q[12..i + 4];
    let name = labels.join(".");
    let (rcode, ips): (u8, &[Ipv4Addr]) = match answers.get(&name) {
        None => (3, &[]),
        Some(ips) if qtype == 1 || qtype == 255 => (0, ips),
        Some(_) => (0, &[]),
    };
    resp.extend_from_slice(&[flags_hi, rcode, 0, 1]);
    resp.extend_from_slice(&(ips.len() as u16).to_be_bytes());
    resp.extend_from_slice(&[0, 0, 0, 0]);
    resp.extend_from_slice(question);
    for ip in ips {
        resp.extend_from_slice(&[0xc0, 0x0c, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4]);
        resp.extend_from_slice(&ip.octets());
    }
    Some(resp)
}

// ---- https --------------------------------------------------------------------------------
fn https(args: &Args) -> Result<()> {
    use rustls::pki_types::pem::PemObject;
    use rustls::pki_types::{CertificateDer, PrivateKeyDer};
    let listen: SocketAddr = args.one("listen")?.parse()?;
    let cert_path = args.one("cert")?;
    let key_path = args.one("key")?;
    let name = args.opt("name").unwrap_or("upstream").to_string();
    let certs = CertificateDer::pem_file_iter(cert_path)
        .map_err(|e| format!("{cert_path}: {e}"))?
        .collect::<std::result::Result<Vec<_>, _>>()
        .map_err(|e| format!("{cert_path}: {e}"))?;
    let key = PrivateKeyDer::from_pem_file(key_path).map_err(|e| format!("{key_path}: {e}"))?;
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
        .with_safe_default_protocol_versions()?
        .with_no_client_auth()
        .with_single_cert(certs, key)?;
    let config = Arc::new(config);
    let listener = TcpListener::bind(listen)?;
    ready(format!("https listen={listen} cert={cert_path} name={name}"));
    for conn in listener.incoming().flatten() {
        let config = config.clone();
        let name = name.clone();
        std::thread::spawn(move || {
            let peer = conn.peer_addr().map(|a| a.to_string()).unwrap_or_default();
            if let Err(e) = https_conn(conn, config, &name) {
                eprintln!("https {peer}: {e}");
            }
        });
    }
    Ok(())
}

fn https_conn(tcp: TcpStream, config: Arc<rustls::ServerConfig>, name: &str) -> Result<()> {
    tcp.set_read_timeout(Some(Duration::from_secs(10)))?;
    let conn = rustls::ServerConnection::new(config)?;
    let mut tls = rustls::StreamOwned::new(conn, tcp);
    let head = read_head(&mut tls)?;
    let line = head.lines().next().unwrap_or_default();
    let mut parts = line.split_whitespace();
    let (method, path) = (parts.next().unwrap_or(""), parts.next().unwrap_or("/"));
    let (status, body) = match method {
        "GET" => ("200 OK", format!("hello from {name} path={path}\n")),
        _ => ("405 Method Not Allowed", "only GET\n".to_string()),
    };
    let resp = format!(
        "HTTP/1.1 {status}\r\ncontent-type: text/plain\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    );
    tls.write_all(resp.as_bytes())?;
    tls.conn.send_close_notify();
    tls.flush()?;
    Ok(())
}

/// Reads up to the end of the request head (a GET has no body).
fn read_head(r: &mut impl Read) -> Result<String> {
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        if head.len() > 16 * 1024 {
            return Err("request head too long".into());
        }
        match r.read(&mut byte)? {
            0 => return Err("connection closed before the request head ended".into()),
            _ => head.push(byte[0]),
        }
    }
    Ok(String::from_utf8_lossy(&head).into_owned())
}

// ---- get ----------------------------------------------------------------------------------
/// Plain-HTTP GET; prints `status=<code>` then the body. Retries connecting until the timeout
/// so it can be started right after the server's container.
fn get(args: &Args) -> Result<()> {
    let url = args.positional.first().ok_or("get needs a URL")?;
    let timeout = Duration::from_secs(args.opt("timeout").unwrap_or("10").parse()?);
    let rest = url.strip_prefix("http://").ok_or("only http:// URLs")?;
    let (authority, path) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, "/"),
    };
    let addr_str = if authority.contains(':') { authority.to_string() } else { format!("{authority}:80") };
    let deadline = Instant::now() + timeout;
    let mut stream = loop {
        let attempt = addr_str
            .to_socket_addrs()
            .map_err(|e| format!("resolve {addr_str}: {e}"))
            .and_then(|mut a| a.next().ok_or_else(|| format!("resolve {addr_str}: no address")))
            .and_then(|a| TcpStream::connect_timeout(&a, Duration::from_secs(2)).map_err(|e| format!("connect {a}: {e}")));
        match attempt {
            Ok(s) => break s,
            Err(e) if Instant::now() >= deadline => return Err(e.into()),
            Err(_) => std::thread::sleep(Duration::from_millis(200)),
        }
    };
    stream.set_read_timeout(Some(timeout))?;
    write!(stream, "GET {path} HTTP/1.1\r\nhost: {authority}\r\nuser-agent: testpeers\r\nconnection: close\r\n\r\n")?;
    let mut raw = Vec::new();
    BufReader::new(stream).read_to_end(&mut raw)?;
    let split = raw.windows(4).position(|w| w == b"\r\n\r\n").ok_or("no HTTP response head")?;
    let head = String::from_utf8_lossy(&raw[..split]).into_owned();
    let mut body = raw[split + 4..].to_vec();
    let status = head.split_whitespace().nth(1).ok_or("no status")?.to_string();
    if head.to_ascii_lowercase().contains("transfer-encoding: chunked") {
        body = dechunk(&body)?;
    }
    let mut out = std::io::stdout().lock();
    writeln!(out, "status={status}")?;
    out.write_all(&body)?;
    out.flush()?;
    Ok(())
}

fn dechunk(mut b: &[u8]) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    loop {
        let eol = b.windows(2).position(|w| w == b"\r\n").ok_or("bad chunk")?;
        let size_str = String::from_utf8_lossy(&b[..eol]);
        let size = usize::from_str_radix(size_str.split(';').next().unwrap_or("").trim(), 16)?;
        b = &b[eol + 2..];
        if size == 0 {
            return Ok(out);
        }
        out.extend_from_slice(b.get(..size).ok_or("short chunk")?);
        b = b.get(size + 2..).ok_or("short chunk")?;
    }
}
