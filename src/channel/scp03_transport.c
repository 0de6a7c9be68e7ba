/*
 * scp03_transport.c - the SCP03 host side over a transport (being written;
 * needs uc_apdu_exchange from the transport layer).
 */
#include "unioncard/scp03.h"
