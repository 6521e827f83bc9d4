// zlib (Debian zlib1g-dev): gzip for HTTP responses.
#include <zlib.h>
