/* libfuzzer_xapi.c -- libFuzzer entry point for fuzz_xapi */
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_xapi(data, size);
}
