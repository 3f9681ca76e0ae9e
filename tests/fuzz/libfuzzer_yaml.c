/* libfuzzer_yaml.c -- libFuzzer entry point for fuzz_yaml */
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_yaml(data, size);
}
