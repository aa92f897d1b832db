"""Disassembles what HotSpot's C2 compiled, on a JDK without the hsdis plug-in.

    java -XX:+UnlockDiagnosticVMOptions -XX:CompileCommand=print,CLASS::METHOD ... > out.txt
    python3 impls/java/disassemble.py out.txt [N]

Without hsdis, -XX:CompileCommand=print lists each compiled method's code as hex words;
this script takes the N-th C2-compiled method of that listing (0, the first, by default),
up to its stubs, and prints objdump's x86-64 disassembly of it. impls/README.md ("Java")
shows what it was used for: the racy counter's load, add and store, the lock per increment.
"""

from __future__ import annotations

import re
import subprocess
import sys
import tempfile

C2_HEADER = "============================= C2-compiled nmethod =============================="


def code_of(listing: str, which: int) -> tuple[int, bytes]:
    """The start address and bytes of the which-th C2 method's main code."""
    sections = listing.split(C2_HEADER)[1:]
    if which >= len(sections):
        sys.exit(f"disassemble: the listing has {len(sections)} C2-compiled methods")
    body = sections[which].split("[Stub Code]")[0].split("[Exception Handler]")[0]
    code, start = bytearray(), None
    for line in body.splitlines():
        match = re.match(r"\s*0x([0-9a-f]+): ((?:[0-9a-f]{2,8}\s*\|?\s*)+)$", line)
        if not match:
            continue
        address = int(match.group(1), 16)
        start = address if start is None else start
        if address == start + len(code):  # a line repeats an address for each comment
            code += bytes.fromhex(re.sub(r"[\s|]", "", match.group(2)))
    if start is None:
        sys.exit("disassemble: no code found (was -XX:CompileCommand=print given?)")
    return start, bytes(code)


def main() -> None:
    listing = open(sys.argv[1], encoding="utf-8", errors="replace").read()
    start, code = code_of(listing, int(sys.argv[2]) if len(sys.argv) > 2 else 0)
    with tempfile.NamedTemporaryFile(suffix=".bin") as binary:
        binary.write(code)
        binary.flush()
        objdump = ["objdump", "-D", "-b", "binary", "-mi386:x86-64", f"--adjust-vma={start:#x}", binary.name]
        print(subprocess.run(objdump, check=True, capture_output=True, text=True).stdout)


if __name__ == "__main__":
    main()
