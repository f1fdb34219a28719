# APT::Architectures in apt.conf.d narrowed to the native architecture: the foreign lists
# are not read although dpkg still has the foreign architecture and packages of it.
write etc/apt/apt.conf.d/99native-only <<CONF
APT::Architectures { "$NATIVE"; };
CONF
