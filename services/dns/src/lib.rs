//! delegate-dns
