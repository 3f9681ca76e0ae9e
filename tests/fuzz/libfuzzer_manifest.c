/* libfuzzer_manifest.c -- libFuzzer entry point for fuzz_manifest */
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_manifest(data, size);
}
