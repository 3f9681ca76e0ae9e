/* libfuzzer_lrs_reply.c -- libFuzzer entry point for fuzz_lrs_reply */
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_lrs_reply(data, size);
}
