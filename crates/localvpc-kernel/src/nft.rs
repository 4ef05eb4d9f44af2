//! Applies an nftables JSON batch inside a namespace: one netlink transaction, all or nothing.
//!
//! The batch goes through libnftables (`libnftables.so.1`, the library the `nft` command is built on; Debian's
//! `libnftables1`, which `nftables` depends on) loaded at run time, in this process, on a thread that has entered
//! the namespace: a process per namespace (fork, exec, dynamic loading of `nft` and its six libraries) cost more
//! than the rest of a namespace's realisation together. Where the library cannot be loaded, `nft -j -f -` runs in
//! the namespace instead, with the same batch and the same atomicity.

use std::ffi::{c_char, c_int, c_uint, c_void, CStr, CString};
use std::io::{self, Write};
use std::os::fd::AsRawFd;
use std::os::unix::process::CommandExt;
use std::process::{Command, Stdio};
use std::sync::{Mutex, OnceLock};

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
    match library() {
        Some(library) => {
            let owned = name.to_string();
            netns::run_in(name, move || library.run(&text).map_err(|message| nft_error(&owned, &message)))
        }
        None => apply_with_command(name, &text),
    }
}

/// Runs `batch` in the namespace the calling thread is in (a thread that has just created or entered it).
pub fn apply_here(name: &str, batch: &Value) -> io::Result<()> {
    let text = batch.to_string();
    match library() {
        Some(library) => library.run(&text).map_err(|message| nft_error(name, &message)),
        None => apply_with_command(name, &text),
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

/// The entry points of libnftables this module uses (libnftables(3)).
struct Library {
    ctx_new: CtxNew,
    ctx_free: CtxFree,
    output_set_flags: SetFlags,
    buffer_output: Buffer,
    buffer_error: Buffer,
    get_error_buffer: GetBuffer,
    run_cmd_from_buffer: Run,
    /// libnftables keeps some process-wide state (its symbol tables, gmp's allocator hooks) that is not
    /// documented as thread-safe: one batch at a time. The kernel's commit is serialised per namespace anyway.
    lock: Mutex<()>,
}

impl Library {
    /// Runs one JSON batch with a context of its own, so its netlink socket is opened in the calling thread's
    /// namespace; returns nftables' error text on failure.
    fn run(&self, text: &str) -> Result<(), String> {
        let command = CString::new(text).map_err(|_| "the batch holds a NUL byte".to_string())?;
        let _serial = self.lock.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        // SAFETY: the functions come from libnftables with the signatures of libnftables.h; the context is used on
        // this thread only and freed before returning, and the error text is copied out before the free.
        unsafe {
            let context = (self.ctx_new)(CTX_DEFAULT);
            if context.is_null() {
                return Err("libnftables could not create a context".into());
            }
            (self.output_set_flags)(context, OUTPUT_JSON);
            (self.buffer_output)(context);
            (self.buffer_error)(context);
            let status = (self.run_cmd_from_buffer)(context, command.as_ptr());
            let result = if status == 0 {
                Ok(())
            } else {
                let error = (self.get_error_buffer)(context);
                Err(if error.is_null() {
                    format!("libnftables failed ({status})")
                } else {
                    CStr::from_ptr(error).to_string_lossy().into_owned()
                })
            };
            (self.ctx_free)(context);
            result
        }
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
        })
    }
}
