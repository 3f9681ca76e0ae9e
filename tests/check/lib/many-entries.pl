#!/usr/bin/perl
# many-entries.pl N > out.zip -- a zip of N empty stored files named
# e/0000001 ... (for the too-many-entries case; 'zip' is too slow for this)
use strict;
use warnings;
my $n = shift // die "usage: many-entries.pl N\n";
binmode STDOUT;
my ($local, $central) = ('', '');
for my $i (1 .. $n) {
	my $name = sprintf("e/%07d", $i);
	my $off = length $local;
	# local header: version 10, no flags, stored, no time, crc 0, sizes 0
	$local .= pack("VvvvvvVVVvv", 0x04034b50, 10, 0, 0, 0, 0x21, 0, 0, 0,
		       length $name, 0) . $name;
	$central .= pack("VvvvvvvVVVvvvvvVV", 0x02014b50, 0x031e, 10, 0, 0, 0,
			 0x21, 0, 0, 0, length $name, 0, 0, 0, 0,
			 0100644 << 16, $off) . $name;
}
my ($cdsize, $cdoff) = (length $central, length $local);
print $local, $central;
if ($n > 0xfffe) {
	# zip64 end of central directory record and locator
	print pack("VQ<vvVVQ<Q<Q<Q<", 0x06064b50, 44, 45, 45, 0, 0, $n, $n,
		   $cdsize, $cdoff);
	print pack("VVQ<V", 0x07064b50, 0, $cdoff + $cdsize, 1);
	$n = 0xffff;
}
print pack("VvvvvVVv", 0x06054b50, 0, 0, $n, $n, $cdsize, $cdoff, 0);
