/* libfuzzer_markdown.c -- libFuzzer entry point for fuzz_markdown */
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_markdown(data, size);
}
