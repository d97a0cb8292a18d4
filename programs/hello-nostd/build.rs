//! Link arguments for the `nolibc` and `tiny` features (none for the default libc build).
//! `cargo:rustc-link-arg-bins` reaches only this crate's binary, never build scripts.
use std::env;

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-changed=tiny.ld");
    let feature = |name: &str| env::var_os(format!("CARGO_FEATURE_{name}")).is_some();
    if !feature("NOLIBC") {
        return;
    }
    // Our own _start, no C start files, no libc, no libgcc; a static non-PIE executable
    // (the code needs no relocation, so a PIE would only add .dynamic & co.).
    for arg in ["-nostartfiles", "-nostdlib", "-static", "-no-pie", "-Wl,--build-id=none"] {
        println!("cargo:rustc-link-arg-bins={arg}");
    }
    if feature("TINY") {
        let dir = env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR");
        // One RX PT_LOAD holding the ELF and program headers, code and data; no
        // .eh_frame, .comment, notes; ld's -n avoids page-aligning the segment in the file.
        for arg in ["-Wl,-n", "-Wl,-z,norelro", "-Wl,--no-eh-frame-hdr", "-Wl,-s"] {
            println!("cargo:rustc-link-arg-bins={arg}");
        }
        println!("cargo:rustc-link-arg-bins=-Wl,-T,{dir}/tiny.ld");
    }
}
