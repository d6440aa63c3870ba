"""Runs a command with the kernel keyring's system calls refused, as Docker's default seccomp
profile does (add_key, request_key and keyctl fail with EPERM): a machine with no usable OS
keyring. Usage: no_keyring.py PROGRAM [ARGS...] (the environment is passed on as is)."""

import ctypes
import os
import platform
import struct
import sys

# (AUDIT_ARCH, add_key, request_key, keyctl) per machine.
ARCHES = {
    "x86_64": (0xC000003E, 248, 249, 250),
    "aarch64": (0xC00000B7, 217, 218, 219),
}

BPF_LD_W_ABS = 0x20
BPF_JEQ_K = 0x15
BPF_RET_K = 0x06
SECCOMP_RET_ALLOW = 0x7FFF0000
SECCOMP_RET_ERRNO = 0x00050000
EPERM = 1
PR_SET_NO_NEW_PRIVS = 38
PR_SET_SECCOMP = 22
SECCOMP_MODE_FILTER = 2


def insn(code, jt, jf, k):
    return struct.pack("HBBI", code, jt, jf, k)


def main():
    machine = platform.machine()
    if machine not in ARCHES:
        sys.exit(f"no_keyring.py: no system call numbers for {machine}")
    arch, *calls = ARCHES[machine]
    prog = [
        insn(BPF_LD_W_ABS, 0, 0, 4),  # seccomp_data.arch
        insn(BPF_JEQ_K, 1, 0, arch),
        insn(BPF_RET_K, 0, 0, SECCOMP_RET_ALLOW),
        insn(BPF_LD_W_ABS, 0, 0, 0),  # seccomp_data.nr
    ]
    for i, nr in enumerate(calls):
        # Jump to the ERRNO return (after the remaining checks and the ALLOW) on a match.
        prog.append(insn(BPF_JEQ_K, len(calls) - i, 0, nr))
    prog.append(insn(BPF_RET_K, 0, 0, SECCOMP_RET_ALLOW))
    prog.append(insn(BPF_RET_K, 0, 0, SECCOMP_RET_ERRNO | EPERM))
    code = b"".join(prog)
    buf = ctypes.create_string_buffer(code, len(code))

    class Fprog(ctypes.Structure):
        _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]

    fprog = Fprog(len(prog), ctypes.addressof(buf))
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
        sys.exit(f"no_keyring.py: PR_SET_NO_NEW_PRIVS: {os.strerror(ctypes.get_errno())}")
    if libc.prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, ctypes.byref(fprog), 0, 0) != 0:
        sys.exit(f"no_keyring.py: PR_SET_SECCOMP: {os.strerror(ctypes.get_errno())}")
    os.execvp(sys.argv[1], sys.argv[1:])


if __name__ == "__main__":
    main()
