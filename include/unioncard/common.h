/*
 * unioncard/common.h - definitions shared by every public header.
 */
#ifndef UNIONCARD_COMMON_H
#define UNIONCARD_COMMON_H

#if defined(__GNUC__) || defined(__clang__)
#define UC_API __attribute__((visibility("default")))
#else
#define UC_API
#endif

#endif /* UNIONCARD_COMMON_H */
