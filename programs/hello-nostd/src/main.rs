//! The smallest honest "Hello, world!": prints exactly `Hello, world!\n` to stdout and exits 0.
//!
//! * default: `#![no_std]` + `#![no_main]`; the C library's start files (crt1.o) call the C-ABI
//!   `main` below, which calls libc's `write`. Works for glibc and musl.
//! * feature `nolibc` (and `tiny`): no C library at all; `_start` is ours and talks to the kernel
//!   with the `write` and `exit_group` system calls (x86-64 Linux ABI).
#![no_std]
#![no_main]

const MSG: &[u8] = b"Hello, world!\n";

#[cfg(not(feature = "nolibc"))]
mod imp {
    use core::ffi::{c_char, c_int};

    // `-l c`, statically when the target links the C runtime statically (glibc with
    // +crt-static, musl by default). rustc passes -nodefaultlibs, so nothing links libc otherwise.
    #[cfg_attr(target_feature = "crt-static", link(name = "c", kind = "static", modifiers = "-bundle"))]
    #[cfg_attr(not(target_feature = "crt-static"), link(name = "c"))]
    // Static glibc's libc.a refers to gcc's unwinder (_Unwind_Resume, __gcc_personality_v0) from
    // its cold paths: link libgcc_eh and libgcc after it, as std's `libc` crate does.
    #[cfg_attr(
        all(target_env = "gnu", target_feature = "crt-static"),
        link(name = "gcc_eh", kind = "static", modifiers = "-bundle")
    )]
    #[cfg_attr(all(target_env = "gnu", target_feature = "crt-static"), link(name = "gcc", kind = "static", modifiers = "-bundle"))]
    extern "C" {
        fn write(fd: c_int, buf: *const u8, count: usize) -> isize;
        pub fn abort() -> !;
    }

    #[unsafe(no_mangle)]
    pub extern "C" fn main(_argc: c_int, _argv: *const *const c_char) -> c_int {
        // SAFETY: MSG is a valid buffer of MSG.len() bytes.
        let n = unsafe { write(1, super::MSG.as_ptr(), super::MSG.len()) };
        if n == super::MSG.len() as isize { 0 } else { 1 }
    }

    pub fn die() -> ! {
        // SAFETY: abort has no preconditions.
        unsafe { abort() }
    }
}

#[cfg(feature = "nolibc")]
mod imp {
    use core::arch::asm;

    const SYS_WRITE: usize = 1;
    const SYS_EXIT_GROUP: usize = 231;

    fn write(fd: usize, buf: &[u8]) -> isize {
        let ret: isize;
        // SAFETY: write(2) reads buf.len() bytes from a valid buffer; the syscall instruction
        // clobbers rcx and r11 only.
        unsafe {
            asm!("syscall",
                inlateout("rax") SYS_WRITE as isize => ret,
                in("rdi") fd, in("rsi") buf.as_ptr(), in("rdx") buf.len(),
                lateout("rcx") _, lateout("r11") _,
                options(nostack, readonly));
        }
        ret
    }

    pub fn exit(code: usize) -> ! {
        // SAFETY: exit_group(2) does not return.
        unsafe { asm!("syscall", in("rax") SYS_EXIT_GROUP, in("rdi") code, options(noreturn, nostack)) }
    }

    /// Entry point named by the ELF header (the kernel jumps here; there is no return address).
    #[unsafe(no_mangle)]
    pub extern "C" fn _start() -> ! {
        let ok = write(1, super::MSG) == super::MSG.len() as isize;
        exit(if ok { 0 } else { 1 })
    }

    pub fn die() -> ! {
        exit(101)
    }
}

/// Nothing here can panic; a no_std binary must still say what a panic does.
#[panic_handler]
fn panic(_info: &core::panic::PanicInfo) -> ! {
    imp::die()
}
