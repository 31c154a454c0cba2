// Two C libraries, zlib and SQLite, checked through the C allocator's source, alloc_chaos::malloc:
// every malloc, calloc and realloc they make is an attempt, failed in turn. Each turns a failure
// into its own error code (Z_MEM_ERROR, SQLITE_NOMEM), which the body turns into std::bad_alloc,
// the controlled error; the check proves that every run ends there or with the right result, and
// that nothing leaks. Linked with alloc_chaos::malloc, zlib and SQLite.

#include <alloc_chaos/alloc_chaos.hpp>

#include <sqlite3.h>
#include <zlib.h>

#include <array>
#include <cstring>
#include <iostream>
#include <new>
#include <stdexcept>
#include <string_view>

namespace {

constexpr std::string_view text =
    "It was the best of times, it was the worst of times, it was the age of wisdom, it was the age "
    "of foolishness, it was the epoch of belief, it was the epoch of incredulity.";

std::array<unsigned char, 1024> packed;
std::array<unsigned char, 1024> unpacked;

void zlib_or_bad_alloc(int code) {
    if (code == Z_MEM_ERROR)
        throw std::bad_alloc();
    if (code != Z_OK)
        throw std::runtime_error(zError(code));
}

// compress() then uncompress(): the text comes back, or std::bad_alloc.
void round_trip() {
    uLongf packed_size = packed.size();
    zlib_or_bad_alloc(compress(packed.data(), &packed_size, reinterpret_cast<const Bytef*>(text.data()), text.size()));
    uLongf unpacked_size = unpacked.size();
    zlib_or_bad_alloc(uncompress(unpacked.data(), &unpacked_size, packed.data(), packed_size));
    if (std::string_view(reinterpret_cast<const char*>(unpacked.data()), unpacked_size) != text)
        throw std::runtime_error("zlib changed the text");
}

void sqlite_or_bad_alloc(int code, int expected = SQLITE_OK) {
    if (code == expected)
        return;
    if (code == SQLITE_NOMEM)
        throw std::bad_alloc();
    throw std::runtime_error(sqlite3_errstr(code));
}

// An in-memory database: a table made, a row written and read back, or std::bad_alloc.
void database() {
    struct closing {
        sqlite3* db = nullptr;
        sqlite3_stmt* select = nullptr;
        ~closing() {
            sqlite3_finalize(select);
            sqlite3_close(db);
        }
    } c;
    sqlite_or_bad_alloc(sqlite3_open(":memory:", &c.db));
    sqlite_or_bad_alloc(sqlite3_exec(c.db, "CREATE TABLE stock(item TEXT, count INTEGER);"
                                           "INSERT INTO stock VALUES('bolt', 40);",
                                     nullptr, nullptr, nullptr));
    sqlite_or_bad_alloc(sqlite3_prepare_v2(c.db, "SELECT count FROM stock WHERE item = 'bolt'", -1, &c.select, nullptr));
    sqlite_or_bad_alloc(sqlite3_step(c.select), SQLITE_ROW);
    if (sqlite3_column_int(c.select, 0) != 40)
        throw std::runtime_error("SQLite lost the row");
}

}  // namespace

int main() {
    sqlite3_initialize();  // SQLite's process-wide state, made once, outside the check
    const alloc_chaos::report zlib = alloc_chaos::check(round_trip);
    const alloc_chaos::report sqlite = alloc_chaos::checker{}.warmup_runs(1).run(database);
    std::cout << "zlib:   " << zlib.verdict() << ", " << zlib.tested_failures() << " failures tested\n"
              << "SQLite: " << sqlite.verdict() << ", " << sqlite.tested_failures() << " failures tested\n";
    if (!zlib.success() || !sqlite.success()) {
        std::cout << zlib << sqlite;
        return 1;
    }
}
