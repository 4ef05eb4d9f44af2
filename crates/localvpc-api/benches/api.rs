//! Benchmarks of the localvpc EC2 Query API: what one request costs, in process and over loopback.
//!
//! Groups (run with `cargo bench -p localvpc-api`, or `cargo xtask bench`; filter with e.g. `-- loopback`):
//!
//! - `in_process`: the axum router called through `tower::ServiceExt::oneshot`, no sockets. `health` is the
//!   routing floor; `describe_vpcs/one` and `describe_vpcs/all_101` read 1 and all 101 VPCs (100 seeded plus the
//!   default VPC every region starts with) — their difference is the per-VPC rendering cost; `create_vpc/*` and
//!   `create_subnet/*` are writes against the memory store and against a SQLite file in a temporary folder. SQLite
//!   runs with `synchronous=FULL` in WAL mode, so every write waits for an `fsync` of the WAL: those numbers
//!   mostly measure the disk, not localvpc. `create_subnet/memory/region_with_2000_subnets` is CreateSubnet in a
//!   region that already holds 2,000 subnets in other VPCs (CreateSubnet's checks walk the whole region).
//! - `loopback`: the release binary (`target/release/localvpc serve --store memory`) on a free 127.0.0.1 port,
//!   driven by a minimal HTTP/1.1 client over one keep-alive connection (one request in flight: this is latency,
//!   not peak throughput — `scripts/bench-loopback.sh` measures throughput with `wrk`).
//! - `cold_start`: time from spawning the binary to the first `200` of `GET /_localvpc/health`, and to the first
//!   answered `DescribeVpcs` (which also creates the region's default VPC).
//!
//! The loopback and cold-start groups build the binary first with `cargo build --release -p localvpc`; set
//! `LOCALVPC_BIN` to use another binary instead (then nothing is built). If there is no binary they are skipped
//! with a message. Write benchmarks reset the state every few hundred requests, outside the timed part, so the
//! world stays small and memory bounded. Set `LOCALVPC_BENCH_TMP` to put the SQLite files elsewhere than the
//! system temporary folder (the folder's file system decides what an `fsync` costs).

use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::{Body, Bytes};
use axum::http::{header, Method, Request, StatusCode};
use axum::Router;
use criterion::{criterion_group, criterion_main, Criterion, SamplingMode, Throughput};
use http_body_util::BodyExt;
use localvpc_api::control::Control;
use localvpc_store::{MemoryStore, SqliteStore, Store};
use tokio::runtime::Runtime;
use tower::ServiceExt;

/// How many VPCs the read benchmarks seed (the region's default VPC comes on top).
const SEEDED_VPCS: usize = 100;
/// Writes between two (untimed) resets of the state.
const WRITES_PER_CYCLE: u64 = 250;
/// The EC2 API version every request names.
const VERSION: &str = "Version=2016-11-15";

fn describe_all_body() -> String {
    format!("Action=DescribeVpcs&{VERSION}")
}

fn create_vpc_body(n: usize) -> String {
    format!("Action=CreateVpc&{VERSION}&CidrBlock=10.{}.0.0%2F16", n % 256)
}

fn create_subnet_body(vpc_id: &str, third_octet: u64) -> String {
    format!("Action=CreateSubnet&{VERSION}&VpcId={vpc_id}&CidrBlock=10.0.{third_octet}.0%2F24")
}

/// The text of the first `<tag>…</tag>` in `xml`.
fn xml_field<'a>(xml: &'a str, tag: &str) -> &'a str {
    let open = format!("<{tag}>");
    let start = xml.find(&open).map(|i| i + open.len()).unwrap_or_else(|| panic!("no <{tag}> in {xml}"));
    let end = xml[start..].find('<').map(|i| start + i).expect("element is closed");
    &xml[start..end]
}

// ---------------------------------------------------------------------------------------------------------------
// In process
// ---------------------------------------------------------------------------------------------------------------

/// A router over a fresh store, with the runtime it runs on.
struct InProcess {
    runtime: Runtime,
    router: Router,
    _folder: Option<TempFolder>,
}

/// A folder removed on drop.
struct TempFolder(PathBuf);

impl TempFolder {
    fn new(label: &str) -> Self {
        let base = std::env::var_os("LOCALVPC_BENCH_TMP").map(PathBuf::from).unwrap_or_else(std::env::temp_dir);
        let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default().as_nanos();
        let path = base.join(format!("localvpc-bench-{label}-{}-{nanos}", std::process::id()));
        std::fs::create_dir_all(&path).expect("create the temporary folder");
        TempFolder(path)
    }
}

impl Drop for TempFolder {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[derive(Clone, Copy, Debug)]
enum StoreKind {
    Memory,
    Sqlite,
}

impl StoreKind {
    fn label(self) -> &'static str {
        match self {
            StoreKind::Memory => "memory",
            StoreKind::Sqlite => "sqlite",
        }
    }
}

impl InProcess {
    fn new(kind: StoreKind) -> Self {
        // One thread, as a request is served by one worker; SQLite's own worker thread still does the I/O.
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("tokio runtime");
        let (store, folder): (Arc<dyn Store>, _) = match kind {
            StoreKind::Memory => (Arc::new(MemoryStore::new()), None),
            StoreKind::Sqlite => {
                let folder = TempFolder::new("sqlite");
                let path = folder.0.join("state.db");
                let store = runtime.block_on(SqliteStore::open(&path)).expect("open the SQLite store");
                (Arc::new(store), Some(folder))
            }
        };
        let control = runtime.block_on(Control::open(store)).expect("open the control plane");
        let in_process = InProcess { runtime, router: localvpc_api::router(Arc::new(control)), _folder: folder };
        // The first EC2 request of a region creates its default VPC; keep that out of every timed loop.
        in_process.post(&describe_all_body());
        in_process
    }

    fn post(&self, body: &str) -> String {
        let bytes = self.runtime.block_on(call(&self.router, Method::POST, "/", body.to_string()));
        String::from_utf8(bytes.to_vec()).expect("UTF-8 body")
    }

    fn reset(&self) {
        self.runtime.block_on(call(&self.router, Method::POST, "/_localvpc/reset", String::new()));
        self.post(&describe_all_body());
    }

    fn create_vpc(&self, n: usize) -> String {
        xml_field(&self.post(&create_vpc_body(n)), "vpcId").to_string()
    }
}

/// One request through the router, as hyper would make it; panics unless the answer is `200`. Returns the body.
async fn call(router: &Router, method: Method, uri: &str, body: String) -> Bytes {
    let request = Request::builder()
        .method(method)
        .uri(uri)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(body))
        .expect("valid request");
    let response = router.clone().oneshot(request).await.expect("the router is infallible");
    let status = response.status();
    let bytes = response.into_body().collect().await.expect("body").to_bytes();
    assert_eq!(status, StatusCode::OK, "{}", String::from_utf8_lossy(&bytes));
    bytes
}

fn in_process_reads(c: &mut Criterion) {
    let app = InProcess::new(StoreKind::Memory);
    for n in 0..SEEDED_VPCS {
        app.create_vpc(n);
    }
    let all = describe_all_body();
    let all_size = app.post(&all).len();
    let first_id = xml_field(&app.post(&all), "vpcId").to_string();
    let one = format!("{all}&VpcId.1={first_id}");
    eprintln!("in_process: DescribeVpcs answers {all_size} bytes for all 101 VPCs");

    let mut group = c.benchmark_group("in_process");
    group.warm_up_time(Duration::from_secs(1)).measurement_time(Duration::from_secs(3)).sample_size(50);
    group.throughput(Throughput::Elements(1));
    for (name, method, uri, body) in [
        ("health", Method::GET, "/_localvpc/health", String::new()),
        ("describe_vpcs/one", Method::POST, "/", one),
        ("describe_vpcs/all_101", Method::POST, "/", all),
    ] {
        group.bench_function(name, |b| {
            b.iter_custom(|iters| {
                app.runtime.block_on(async {
                    let start = Instant::now();
                    for _ in 0..iters {
                        call(&app.router, method.clone(), uri, body.clone()).await;
                    }
                    start.elapsed()
                })
            });
        });
    }
    group.finish();
}

/// Times `iters` writes made by `write(i)`; every [`WRITES_PER_CYCLE`] writes, `between()` runs untimed.
fn timed_writes(
    app: &InProcess,
    iters: u64,
    mut write: impl FnMut(u64) -> String,
    mut between: impl FnMut(),
) -> Duration {
    let mut total = Duration::ZERO;
    for i in 0..iters {
        let body = write(i % WRITES_PER_CYCLE);
        let start = Instant::now();
        app.runtime.block_on(call(&app.router, Method::POST, "/", body));
        total += start.elapsed();
        if i % WRITES_PER_CYCLE == WRITES_PER_CYCLE - 1 {
            between();
        }
    }
    between();
    total
}

fn in_process_writes(c: &mut Criterion) {
    let mut group = c.benchmark_group("in_process");
    group.throughput(Throughput::Elements(1));
    for kind in [StoreKind::Memory, StoreKind::Sqlite] {
        match kind {
            StoreKind::Memory => {
                group.warm_up_time(Duration::from_secs(1)).measurement_time(Duration::from_secs(3)).sample_size(50);
                group.sampling_mode(SamplingMode::Auto);
            }
            StoreKind::Sqlite => {
                group.warm_up_time(Duration::from_secs(1)).measurement_time(Duration::from_secs(5)).sample_size(10);
                group.sampling_mode(SamplingMode::Flat);
            }
        }

        // CreateVpc: the VPC, its main route table, default network ACL and default security group, one batch.
        let app = InProcess::new(kind);
        group.bench_function(format!("create_vpc/{}", kind.label()), |b| {
            b.iter_custom(|iters| timed_writes(&app, iters, |i| create_vpc_body(i as usize), || app.reset()));
        });
        drop(app);

        // CreateSubnet: /24s in one /16 VPC; the subnets are deleted (untimed) after each cycle of 250.
        let app = InProcess::new(kind);
        let vpc_id = app.create_vpc(0);
        let mut created = Vec::new();
        group.bench_function(format!("create_subnet/{}", kind.label()), |b| {
            b.iter_custom(|iters| {
                timed_writes(
                    &app,
                    iters,
                    |k| create_subnet_body(&vpc_id, k),
                    || delete_subnets(&app, &vpc_id, &mut created),
                )
            });
        });
        drop(app);
    }

    // The same CreateSubnet in a region that already holds 2,000 subnets in 8 other VPCs: CreateSubnet checks
    // overlaps against every subnet of the region, not only the VPC's.
    let app = InProcess::new(StoreKind::Memory);
    for n in 1..=8 {
        let filler = app.create_vpc(n);
        for k in 0..250 {
            app.post(&format!("Action=CreateSubnet&{VERSION}&VpcId={filler}&CidrBlock=10.{n}.{k}.0%2F24"));
        }
    }
    let vpc_id = app.create_vpc(0);
    let mut created = Vec::new();
    group.warm_up_time(Duration::from_secs(1)).measurement_time(Duration::from_secs(3)).sample_size(50);
    group.sampling_mode(SamplingMode::Auto);
    group.bench_function("create_subnet/memory/region_with_2000_subnets", |b| {
        b.iter_custom(|iters| {
            timed_writes(
                &app,
                iters,
                |k| create_subnet_body(&vpc_id, k),
                || delete_subnets(&app, &vpc_id, &mut created),
            )
        });
    });
    group.finish();
}

/// Deletes every subnet of `vpc_id` (untimed clean-up between cycles).
fn delete_subnets(app: &InProcess, vpc_id: &str, scratch: &mut Vec<String>) {
    scratch.clear();
    let answer = app.post(&format!("Action=DescribeSubnets&{VERSION}&Filter.1.Name=vpc-id&Filter.1.Value.1={vpc_id}"));
    let mut rest = answer.as_str();
    while let Some(at) = rest.find("<subnetId>") {
        rest = &rest[at..];
        scratch.push(xml_field(rest, "subnetId").to_string());
        rest = &rest["<subnetId>".len()..];
    }
    for id in scratch.iter() {
        app.post(&format!("Action=DeleteSubnet&{VERSION}&SubnetId={id}"));
    }
}

// ---------------------------------------------------------------------------------------------------------------
// Loopback, against the release binary
// ---------------------------------------------------------------------------------------------------------------

/// The binary to spawn: `LOCALVPC_BIN`, else `target/release/localvpc` freshly built. `None` (with a message) if
/// there is none.
fn release_binary() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("LOCALVPC_BIN") {
        let path = PathBuf::from(path);
        if path.is_file() {
            return Some(path);
        }
        eprintln!("LOCALVPC_BIN={} is not a file: skipping the loopback and cold-start benchmarks", path.display());
        return None;
    }
    // This executable is `<target>/release/deps/api-<hash>`; the binary lands in `<target>/release`.
    let exe = std::env::current_exe().ok()?;
    let profile_dir = exe.parent()?.parent()?.to_path_buf();
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../Cargo.toml");
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    eprintln!("building the release binary: cargo build --release -p localvpc");
    let built = Command::new(cargo)
        .args(["build", "--release", "-p", "localvpc", "--manifest-path"])
        .arg(&manifest)
        .status()
        .is_ok_and(|status| status.success());
    let binary = profile_dir.join(format!("localvpc{}", std::env::consts::EXE_SUFFIX));
    if built && binary.is_file() {
        return Some(binary);
    }
    eprintln!(
        "no release binary at {} (`cargo build --release -p localvpc` failed?): skipping the loopback and \
         cold-start benchmarks; set LOCALVPC_BIN to point at one",
        binary.display()
    );
    None
}

/// A port that was free a moment ago.
fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).expect("bind an ephemeral port").port()
}

/// A running `localvpc serve`, killed on drop.
struct Server {
    child: Child,
    address: SocketAddr,
}

impl Server {
    /// Spawns the binary on a free port; returns immediately (not yet listening).
    fn spawn(binary: &Path, store: &str) -> Self {
        let address = SocketAddr::from(([127, 0, 0, 1], free_port()));
        let child = Command::new(binary)
            .args(["serve", "--listen", &address.to_string(), "--store", store, "--log", "warn"])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn localvpc");
        Server { child, address }
    }

    /// Polls until `GET /_localvpc/health` answers 200 (every 100 µs, 10 s at most); returns that connection.
    fn wait_ready(&mut self) -> Client {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            if let Ok(mut client) = Client::connect(self.address) {
                if client.get("/_localvpc/health").is_ok_and(|status| status == 200) {
                    return client;
                }
            }
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!("localvpc exited before answering: {status}");
            }
            assert!(Instant::now() < deadline, "localvpc did not answer on {} within 10 s", self.address);
            std::thread::sleep(Duration::from_micros(100));
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The smallest HTTP/1.1 client that will do: one keep-alive connection, one request at a time, bodies framed by
/// `Content-Length` (what hyper sends for axum's full bodies) or chunked.
struct Client {
    reader: BufReader<TcpStream>,
    request: Vec<u8>,
    body: Vec<u8>,
    line: String,
}

impl Client {
    fn connect(address: SocketAddr) -> io::Result<Self> {
        let stream = TcpStream::connect(address)?;
        stream.set_nodelay(true)?;
        stream.set_read_timeout(Some(Duration::from_secs(10)))?;
        Ok(Client {
            reader: BufReader::with_capacity(64 * 1024, stream),
            request: Vec::with_capacity(1024),
            body: Vec::with_capacity(128 * 1024),
            line: String::new(),
        })
    }

    fn get(&mut self, path: &str) -> io::Result<u16> {
        self.send("GET", path, "")
    }

    fn post(&mut self, body: &str) -> io::Result<u16> {
        self.send("POST", "/", body)
    }

    /// Sends one request and reads the whole answer into `self.body`; returns the status code.
    fn send(&mut self, method: &str, path: &str, body: &str) -> io::Result<u16> {
        self.request.clear();
        write!(
            self.request,
            "{method} {path} HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/x-www-form-urlencoded\r\n\
             Content-Length: {}\r\n\r\n{body}",
            body.len()
        )?;
        self.reader.get_mut().write_all(&self.request)?;
        self.read_response()
    }

    fn read_line(&mut self) -> io::Result<&str> {
        self.line.clear();
        if self.reader.read_line(&mut self.line)? == 0 {
            return Err(io::Error::new(io::ErrorKind::UnexpectedEof, "connection closed"));
        }
        Ok(self.line.trim_end())
    }

    fn read_response(&mut self) -> io::Result<u16> {
        let bad = |what: &str| io::Error::new(io::ErrorKind::InvalidData, what.to_string());
        let status = self.read_line()?.split(' ').nth(1).and_then(|code| code.parse().ok()).ok_or(bad("status"))?;
        let (mut length, mut chunked) = (None, false);
        loop {
            let line = self.read_line()?;
            if line.is_empty() {
                break;
            }
            let (name, value) = line.split_once(':').ok_or(bad("header"))?;
            if name.eq_ignore_ascii_case("content-length") {
                length = Some(value.trim().parse::<usize>().map_err(|_| bad("content-length"))?);
            } else if name.eq_ignore_ascii_case("transfer-encoding") {
                chunked = value.trim().eq_ignore_ascii_case("chunked");
            }
        }
        self.body.clear();
        if chunked {
            loop {
                let size = self.read_line()?.split(';').next().unwrap_or_default().trim().to_string();
                let size = usize::from_str_radix(&size, 16).map_err(|_| bad("chunk size"))?;
                if size == 0 {
                    while !self.read_line()?.is_empty() {}
                    break;
                }
                let start = self.body.len();
                self.body.resize(start + size, 0);
                self.reader.read_exact(&mut self.body[start..])?;
                self.read_line()?;
            }
        } else {
            let length = length.ok_or(bad("neither Content-Length nor chunked"))?;
            self.body.resize(length, 0);
            self.reader.read_exact(&mut self.body)?;
        }
        Ok(status)
    }

    fn body_text(&self) -> &str {
        std::str::from_utf8(&self.body).unwrap_or_default()
    }

    /// POSTs `body` and panics unless the answer is 200.
    fn post_ok(&mut self, body: &str) {
        let status = self.post(body).expect("request over loopback");
        assert_eq!(status, 200, "{}", self.body_text());
    }
}

fn loopback(c: &mut Criterion, binary: &Path) {
    let mut server = Server::spawn(binary, "memory");
    let mut client = server.wait_ready();
    for n in 0..SEEDED_VPCS {
        client.post_ok(&create_vpc_body(n));
    }
    let all = describe_all_body();
    client.post_ok(&all);
    eprintln!("loopback: DescribeVpcs answers {} bytes for all 101 VPCs", client.body.len());

    let mut group = c.benchmark_group("loopback");
    group.warm_up_time(Duration::from_secs(1)).measurement_time(Duration::from_secs(3)).sample_size(50);
    group.throughput(Throughput::Elements(1));
    group.bench_function("health", |b| {
        b.iter(|| assert_eq!(client.get("/_localvpc/health").expect("health"), 200));
    });
    group.bench_function("describe_vpcs/all_101", |b| b.iter(|| client.post_ok(&all)));
    group.bench_function("create_vpc/memory", |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for i in 0..iters {
                let body = create_vpc_body((i % WRITES_PER_CYCLE) as usize);
                let start = Instant::now();
                client.post_ok(&body);
                total += start.elapsed();
                if i % WRITES_PER_CYCLE == WRITES_PER_CYCLE - 1 {
                    assert_eq!(client.send("POST", "/_localvpc/reset", "").expect("reset"), 200);
                }
            }
            total
        });
    });
    group.finish();
    drop(server);
}

/// One cold start: spawn, poll until health answers 200, optionally one DescribeVpcs; the server is then killed.
fn cold_start_once(binary: &Path, sqlite: bool, describe: bool) -> Duration {
    let folder = sqlite.then(|| TempFolder::new("cold"));
    let store = match &folder {
        Some(folder) => format!("sqlite:{}", folder.0.join("state.db").display()),
        None => "memory".to_string(),
    };
    let start = Instant::now();
    let mut server = Server::spawn(binary, &store);
    let mut client = server.wait_ready();
    if describe {
        client.post_ok(&describe_all_body());
    }
    let elapsed = start.elapsed();
    drop(server);
    elapsed
}

fn cold_start(c: &mut Criterion, binary: &Path) {
    let mut group = c.benchmark_group("cold_start");
    group.warm_up_time(Duration::from_millis(500)).measurement_time(Duration::from_secs(4)).sample_size(20);
    group.sampling_mode(SamplingMode::Flat);
    for (name, sqlite, describe) in [
        ("health/memory", false, false),
        ("health/sqlite_new_file", true, false),
        ("first_describe_vpcs/memory", false, true),
        ("first_describe_vpcs/sqlite_new_file", true, true),
    ] {
        group.bench_function(name, |b| {
            b.iter_custom(|iters| (0..iters).map(|_| cold_start_once(binary, sqlite, describe)).sum::<Duration>());
        });
    }
    group.finish();
}

fn against_binary(c: &mut Criterion) {
    let Some(binary) = release_binary() else {
        return;
    };
    loopback(c, &binary);
    cold_start(c, &binary);
}

criterion_group!(benches, in_process_reads, in_process_writes, against_binary);
criterion_main!(benches);
