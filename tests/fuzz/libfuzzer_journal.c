/* libfuzzer_journal.c -- libFuzzer entry point for fuzz_journal */
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_journal(data, size);
}
