//! Applies an nftables JSON batch inside a namespace: one netlink transaction, all or nothing.
//!
//! The batch goes through libnftables (`libnftables.so.1`, the library the `nft` command is built on; Debian's
//! `libnftables1`, which `nftables` depends on) loaded at run time, in this process: a process per namespace (fork,
//! exec, dynamic loading of `nft` and its six libraries) cost more than the rest of a namespace's realisation
//! together. Where the library cannot be loaded, `nft -j -f -` runs in the namespace instead, with the same batch
//! and the same atomicity.
//!
//! One libnftables context per namespace, kept while the namespace lives: a context's netlink socket belongs to the
//! namespace of the thread that made it, so the first batch of a namespace runs on a thread inside it and later
//! ones on any thread. Freeing a context costs ~13 ms on this project's VM once it has replaced a table (closing its
//! socket waits on the kernel), which made every batch cost ten times its ~1 ms; contexts of deleted namespaces are
//! freed by a reaper thread when no batch is running ([`forget`]).

use std::collections::HashMap;
use std::ffi::{c_char, c_int, c_uint, c_void, CStr, CString};
use std::io::{self, Write};
use std::os::fd::AsRawFd;
use std::os::unix::process::CommandExt;
use std::process::{Command, Stdio};
use std::sync::mpsc::{self, Sender};
use std::sync::{Mutex, OnceLock};
use std::time::Duration;

use serde_json::Value;

use crate::netns;

/// The `nft` binary (`LOCALVPC_NFT` overrides, for hosts that keep it elsewhere; setting it also makes every batch
/// go through that command instead of the library).
pub fn binary() -> String {
    std::env::var("LOCALVPC_NFT").unwrap_or_else(|_| "nft".into())
}

/// Runs `batch` in the namespace `name`; an `Err` carries nftables' own message.
pub fn apply(name: &str, batch: &Value) -> io::Result<()> {
    let text = batch.to_string();
    let Some(library) = library() else { return apply_with_command(name, &text) };
    if let Some(result) = library.run_known(name, &text) {
        return result.map_err(|message| nft_error(name, &message));
    }
    let owned = name.to_string();
    netns::run_in(name, move || library.run_here(&owned, &text).map_err(|message| nft_error(&owned, &message)))
}

/// Runs `batch` in the namespace the calling thread is in (a thread that has just created or entered it).
pub fn apply_here(name: &str, batch: &Value) -> io::Result<()> {
    let text = batch.to_string();
    match library() {
        Some(library) => library.run_here(name, &text).map_err(|message| nft_error(name, &message)),
        None => apply_with_command(name, &text),
    }
}

/// Drops the context of namespace `name` (deleted, or about to be made anew): a context would keep the old
/// namespace alive and write into it. It is freed in the background, between batches.
pub fn forget(name: &str) {
    let Some(library) = library() else { return };
    let context = library.contexts.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).remove(name);
    if let Some(context) = context {
        library.reaper().send(context).ok();
    }
}

fn nft_error(name: &str, message: &str) -> io::Error {
    io::Error::other(format!("nft in {name}: {}", message.trim()))
}

fn apply_with_command(name: &str, text: &str) -> io::Result<()> {
    let handle = netns::open(name)?;
    let raw = handle.as_raw_fd();
    let mut command = Command::new(binary());
    command.args(["-j", "-f", "-"]).stdin(Stdio::piped()).stdout(Stdio::null()).stderr(Stdio::piped());
    // SAFETY: between fork and exec the child only calls setns(2), which is async-signal-safe; the descriptor stays
    // open in the parent (`handle`) until the child has been waited for.
    unsafe {
        command.pre_exec(move || {
            if libc_setns(raw) != 0 {
                return Err(io::Error::last_os_error());
            }
            Ok(())
        });
    }
    let mut child = command.spawn()?;
    child.stdin.take().expect("piped stdin").write_all(text.as_bytes())?;
    let output = child.wait_with_output()?;
    drop(handle);
    if output.status.success() {
        Ok(())
    } else {
        Err(nft_error(name, &String::from_utf8_lossy(&output.stderr)))
    }
}

fn libc_setns(fd: i32) -> i32 {
    // SAFETY: a plain system call on a descriptor the caller owns.
    unsafe { nix::libc::setns(fd, nix::libc::CLONE_NEWNET) }
}

/// `NFT_CTX_DEFAULT` (nftables/libnftables.h).
const CTX_DEFAULT: c_uint = 0;
/// `NFT_CTX_OUTPUT_JSON`: with it, `nft_run_cmd_from_buffer` parses its input as JSON (what `nft -j` sets).
const OUTPUT_JSON: c_uint = 1 << 4;

type CtxNew = unsafe extern "C" fn(c_uint) -> *mut c_void;
type CtxFree = unsafe extern "C" fn(*mut c_void);
type SetFlags = unsafe extern "C" fn(*mut c_void, c_uint);
type Buffer = unsafe extern "C" fn(*mut c_void) -> c_int;
type GetBuffer = unsafe extern "C" fn(*mut c_void) -> *const c_char;
type Run = unsafe extern "C" fn(*mut c_void, *const c_char) -> c_int;

/// A libnftables context (`struct nft_ctx *`), used by one thread at a time under [`Library::lock`].
struct Context(*mut c_void);

// SAFETY: a context is only touched with the library lock held, so never by two threads at once; libnftables ties
// it to no thread (its socket belongs to a namespace, not to the thread that opened it).
unsafe impl Send for Context {}

/// The entry points of libnftables this module uses (libnftables(3)).
struct Library {
    ctx_new: CtxNew,
    ctx_free: CtxFree,
    output_set_flags: SetFlags,
    buffer_output: Buffer,
    buffer_error: Buffer,
    get_error_buffer: GetBuffer,
    run_cmd_from_buffer: Run,
    /// libnftables keeps some process-wide state (its symbol tables, gmp's allocator hooks, the interface cache
    /// `nft_ctx_free` releases) that is not documented as thread-safe: one call at a time.
    lock: Mutex<()>,
    /// Each namespace's context, once it has run a batch.
    contexts: Mutex<HashMap<String, Context>>,
    /// Where forgotten contexts go to be freed.
    reaper: OnceLock<Sender<Context>>,
}

impl Library {
    /// Runs a batch with the context of namespace `name` if it has one; `None` when it has none yet.
    fn run_known(&self, name: &str, text: &str) -> Option<Result<(), String>> {
        let command = match CString::new(text) {
            Ok(command) => command,
            Err(_) => return Some(Err("the batch holds a NUL byte".into())),
        };
        let _serial = self.lock.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let contexts = self.contexts.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let context = contexts.get(name)?;
        Some(self.run_with(context, &command))
    }

    /// Runs a batch from a thread inside namespace `name`, with a new context that is then kept for the namespace.
    fn run_here(&'static self, name: &str, text: &str) -> Result<(), String> {
        let command = CString::new(text).map_err(|_| "the batch holds a NUL byte".to_string())?;
        let _serial = self.lock.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        // SAFETY: nft_ctx_new with a flag libnftables.h defines; the result is checked for NULL, and the flags are
        // set on the context just made.
        let context = unsafe {
            let context = (self.ctx_new)(CTX_DEFAULT);
            if context.is_null() {
                return Err("libnftables could not create a context".into());
            }
            (self.output_set_flags)(context, OUTPUT_JSON);
            (self.buffer_output)(context);
            (self.buffer_error)(context);
            Context(context)
        };
        let result = self.run_with(&context, &command);
        let stale = self.contexts.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).insert(name.into(), context);
        if let Some(stale) = stale {
            self.reaper().send(stale).ok();
        }
        result
    }

    /// One batch on `context`; nftables' error text on failure. Call with the library lock held.
    fn run_with(&self, context: &Context, command: &CStr) -> Result<(), String> {
        // SAFETY: the functions come from libnftables with the signatures of libnftables.h, the context is alive
        // (owned by the map, used under the lock), and the error text is copied out before the next call.
        unsafe {
            let status = (self.run_cmd_from_buffer)(context.0, command.as_ptr());
            if status == 0 {
                return Ok(());
            }
            let error = (self.get_error_buffer)(context.0);
            Err(if error.is_null() {
                format!("libnftables failed ({status})")
            } else {
                CStr::from_ptr(error).to_string_lossy().into_owned()
            })
        }
    }

    /// The reaper's queue, its thread started on first use: it frees one context at a time, only while no batch
    /// holds the lock, so a free never delays a batch by more than one free.
    fn reaper(&'static self) -> &'static Sender<Context> {
        self.reaper.get_or_init(|| {
            let (sender, receiver) = mpsc::channel::<Context>();
            std::thread::Builder::new()
                .name("nft-reaper".into())
                .spawn(move || {
                    for context in receiver {
                        let serial = loop {
                            if let Ok(serial) = self.lock.try_lock() {
                                break serial;
                            }
                            std::thread::sleep(Duration::from_millis(2));
                        };
                        // SAFETY: the context was removed from the map, so nothing else can reach it; freed once.
                        unsafe { (self.ctx_free)(context.0) };
                        drop(serial);
                    }
                })
                .expect("the nft reaper thread starts");
            sender
        })
    }
}

/// libnftables, loaded once; `None` when it is not installed (or `LOCALVPC_NFT` asks for a command).
fn library() -> Option<&'static Library> {
    static LIBRARY: OnceLock<Option<Library>> = OnceLock::new();
    LIBRARY.get_or_init(load).as_ref()
}

fn load() -> Option<Library> {
    if std::env::var_os("LOCALVPC_NFT").is_some() {
        return None;
    }
    // SAFETY: dlopen/dlsym with NUL-terminated names; the handle is never closed, so the symbols stay valid for
    // the life of the process, and each symbol is cast to the signature libnftables.h declares for it.
    unsafe {
        let handle = nix::libc::dlopen(c"libnftables.so.1".as_ptr(), nix::libc::RTLD_NOW | nix::libc::RTLD_LOCAL);
        if handle.is_null() {
            return None;
        }
        let symbol = |name: &CStr| {
            let address = nix::libc::dlsym(handle, name.as_ptr());
            (!address.is_null()).then_some(address)
        };
        Some(Library {
            ctx_new: std::mem::transmute::<*mut c_void, CtxNew>(symbol(c"nft_ctx_new")?),
            ctx_free: std::mem::transmute::<*mut c_void, CtxFree>(symbol(c"nft_ctx_free")?),
            output_set_flags: std::mem::transmute::<*mut c_void, SetFlags>(symbol(c"nft_ctx_output_set_flags")?),
            buffer_output: std::mem::transmute::<*mut c_void, Buffer>(symbol(c"nft_ctx_buffer_output")?),
            buffer_error: std::mem::transmute::<*mut c_void, Buffer>(symbol(c"nft_ctx_buffer_error")?),
            get_error_buffer: std::mem::transmute::<*mut c_void, GetBuffer>(symbol(c"nft_ctx_get_error_buffer")?),
            run_cmd_from_buffer: std::mem::transmute::<*mut c_void, Run>(symbol(c"nft_run_cmd_from_buffer")?),
            lock: Mutex::new(()),
            contexts: Mutex::new(HashMap::new()),
            reaper: OnceLock::new(),
        })
    }
}
