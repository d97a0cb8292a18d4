//! `#![no_main]` with std still linked: the C runtime's start code (crt1.o of glibc or musl) calls
//! the C-ABI `main` below directly. std's `lang_start` (stack-guard setup, SIGPIPE handling, main
//! thread name, cleanup at exit) is skipped; `println!` still works and the line is flushed by
//! stdout's `LineWriter` at the newline.
//!
//! Feature `write-all`: write the bytes with `Write::write_all` on stdout instead of `println!`,
//! so that none of core::fmt's formatting machinery is linked.
#![no_main]

use std::ffi::{c_char, c_int};

#[cfg(not(feature = "write-all"))]
#[unsafe(no_mangle)]
pub extern "C" fn main(_argc: c_int, _argv: *const *const c_char) -> c_int {
    println!("Hello, world!");
    0
}

#[cfg(feature = "write-all")]
#[unsafe(no_mangle)]
pub extern "C" fn main(_argc: c_int, _argv: *const *const c_char) -> c_int {
    use std::io::Write;
    match std::io::stdout().write_all(b"Hello, world!\n") {
        Ok(()) => 0,
        Err(_) => 1,
    }
}
