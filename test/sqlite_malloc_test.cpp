#define BOOST_TEST_MODULE sqlite_malloc
#include <boost/test/unit_test.hpp>

#include <alloc_chaos/alloc_chaos.hpp>

#include "test_bodies.hpp"

#include <sqlite3.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <new>
#include <stdexcept>

// SQLite (Debian's libsqlite3, with its default memory allocator: the system's malloc, realloc and
// free) under alloc_chaos::malloc: an in-memory database opened, a table created, rows inserted
// and selected, the database closed. Every allocation failure comes back as SQLITE_NOMEM, which
// the body turns into std::bad_alloc, or SQLite does without the block; nothing leaks.

using alloc_chaos::checker;
using alloc_chaos::operation;
using alloc_chaos::outcome;
using alloc_chaos::report;
using test_bodies::current_target;

namespace {

// What SQLite returned, by target: the first code other than SQLITE_OK of the run failing it.
std::array<int, 512> code_by_target;

// An SQLite result code as the body's outcome: SQLITE_NOMEM is the controlled error,
// std::bad_alloc; anything else but `ok` escapes as std::runtime_error.
void expect(int code, int ok = SQLITE_OK) {
    if (code == ok)
        return;
    if (const auto target = current_target(); target && *target < code_by_target.size() &&
                                               code_by_target[*target] == SQLITE_OK)
        code_by_target[*target] = code;
    if (code == SQLITE_NOMEM)
        throw std::bad_alloc();
    throw std::runtime_error(sqlite3_errstr(code));
}

// Closes the database however the body ends; sqlite3_close(nullptr) does nothing.
struct connection {
    sqlite3* db = nullptr;
    ~connection() { sqlite3_close(db); }
};

struct statement {
    sqlite3_stmt* s = nullptr;
    ~statement() { sqlite3_finalize(s); }
};

void use_a_database() {
    connection c;
    expect(sqlite3_open(":memory:", &c.db));
    expect(sqlite3_exec(c.db, "CREATE TABLE t(x INTEGER PRIMARY KEY, y TEXT)", nullptr, nullptr, nullptr));
    expect(sqlite3_exec(c.db, "INSERT INTO t VALUES(1, 'one'), (2, 'two')", nullptr, nullptr, nullptr));
    statement st;
    expect(sqlite3_prepare_v2(c.db, "SELECT y FROM t WHERE x = 2", -1, &st.s, nullptr));
    expect(sqlite3_step(st.s), SQLITE_ROW);
    const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(st.s, 0));
    if (text == nullptr)
        expect(sqlite3_errcode(c.db));  // a failed conversion of the value leaves the error here
    if (std::strcmp(text, "two") != 0)
        throw std::runtime_error("SQLite read back another row");
    expect(sqlite3_step(st.s), SQLITE_DONE);
}

// SQLite's process-wide state, made once, before any check.
struct initialized {
    initialized() {
        sqlite3_initialize();
        use_a_database();
    }
};

}  // namespace

BOOST_TEST_GLOBAL_FIXTURE(initialized);

// Debian 12's SQLite 3.40.1: 367 mallocs and 13 reallocs.
BOOST_AUTO_TEST_CASE(an_in_memory_database_allocates_through_malloc_and_realloc_alone) {
    const auto got = alloc_chaos::attempts_of(use_a_database);
    std::size_t mallocs = 0;
    std::size_t reallocs = 0;
    for (const auto& a : got) {
        mallocs += a.operation() == operation::malloc;
        reallocs += a.operation() == operation::realloc;
    }
    BOOST_TEST(got.size() == 380u);
    BOOST_TEST(mallocs == 367u);
    BOOST_TEST(reallocs == 13u);
    BOOST_TEST((got[0] == alloc_chaos::allocation(0, operation::malloc, 848, alignof(std::max_align_t), true)));
}

// SQLite carries on without the blocks of attempts #84 and #99 (328 bytes each): those runs complete
// with the row read back. Every other failure is SQLITE_NOMEM.
BOOST_AUTO_TEST_CASE(every_failure_is_sqlite_nomem_or_carried_on_without_and_leaks_nothing) {
    code_by_target.fill(SQLITE_OK);
    const report r = checker{}.run(use_a_database);
    BOOST_TEST(r.baseline_allocations() == 380u);
    BOOST_TEST(r.tested_failures() == 380u);
    std::size_t completed = 0;
    for (const alloc_chaos::attempt& run : r.attempts()) {
        BOOST_TEST_CONTEXT("target " << run.target()) {
            BOOST_TEST(run.findings().empty());
            if (run.target() == 84 || run.target() == 99) {
                BOOST_TEST(run.outcome() == outcome::completed);
                BOOST_TEST(code_by_target[run.target()] == SQLITE_OK);
                ++completed;
            } else {
                BOOST_TEST(run.outcome() == outcome::bad_alloc);
                BOOST_TEST(code_by_target[run.target()] == SQLITE_NOMEM);
            }
        }
    }
    BOOST_TEST(completed == 2u);
    BOOST_TEST(r.success());
}
