/* libfuzzer_zip.c -- libFuzzer entry point for fuzz_zip */
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_zip(data, size);
}
