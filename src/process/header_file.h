#pragma once
// --process-header-file PATH: extra request headers for the --process service, typically a
// secret (`Authorization: Bearer ...`) kept off the command line. One `Name: value` per line;
// blank lines and lines starting with '#' are ignored; blanks around the value are dropped.
// Refused, with the line number and the reason but NEVER the value (it may be a secret): a name
// that is empty or not an HTTP token, a value with CR, NUL or another control byte except tab,
// a line without ':', and the headers this client sets itself (http_request.h, reserved_header).
#include <string>
#include <string_view>
#include <vector>

#include "process/http_request.h"

namespace process {

// Throws std::invalid_argument naming `source` (the path) and the line.
std::vector<Header> parse_header_lines(std::string_view text, std::string_view source);

// Reads and parses the file; an unreadable file (or one above 64 KiB) is an error too.
std::vector<Header> read_header_file(const std::string& path);

}  // namespace process
