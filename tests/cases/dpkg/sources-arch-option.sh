# The arch= option of a source line: bookworm main for the native architecture only, the
# security archive for the foreign one only (the other lists stay on disk, unread).
write etc/apt/sources.list <<SRC
deb [arch=$NATIVE] http://deb.debian.org/debian bookworm main
deb http://deb.debian.org/debian bookworm-updates main
deb [ arch=$FOREIGN ] http://deb.debian.org/debian-security bookworm-security main
SRC
