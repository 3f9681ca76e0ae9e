/* libfuzzer_lrs.c -- libFuzzer entry point for fuzz_lrs */
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_lrs(data, size);
}
