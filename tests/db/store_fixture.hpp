#pragma once
// A schema of its own per test, on the real PostgreSQL of ROOMCTL_TEST_DATABASE_URL (created
// as that role, dropped afterwards), plus helpers for URLs that differ in one parameter and for
// throwaway login roles (PG_ADMIN_URL, the superuser). Missing variables skip the test, or
// fail it when CI=true (scripts/test.sh sets them all).

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <optional>
#include <pqxx/pqxx>
#include <string>
#include <vector>

#include "roomctl/store/room_store.hpp"
#include "roomctl/util/error.hpp"

namespace roomctl::store::testing {

inline std::optional<std::string> env(const char* name) {
    const char* v = std::getenv(name);
    if (v == nullptr || *v == '\0') return std::nullopt;
    return std::string{v};
}

inline bool in_ci() { return env("CI") == "true"; }

// The URL `name` holds; nullopt after GTEST_SKIP or FAIL (the caller returns).
#define ROOMCTL_REQUIRE_URL(var, name, how)                           \
    do {                                                              \
        var = ::roomctl::store::testing::env(name);                   \
        if (!var) {                                                   \
            if (::roomctl::store::testing::in_ci())                   \
                FAIL() << name " is not set (required when CI=true)"; \
            GTEST_SKIP() << name " is not set; " how;                 \
        }                                                             \
    } while (0)

inline std::string unique_name(const std::string& prefix) {
    static std::atomic<int> counter{0};
    return prefix + std::to_string(::getpid()) + "_" + std::to_string(counter++);
}

// `url` with one more libpq parameter, in its own form (URI or keyword/value); a later
// parameter overrides an earlier one (user, password) in both forms.
inline std::string url_with(const std::string& url, const std::string& key,
                            const std::string& value) {
    if (url.starts_with("postgres://") || url.starts_with("postgresql://")) {
        std::string enc;
        for (unsigned char c : value) {
            if (std::isalnum(c) || c == '-' || c == '_' || c == '.') {
                enc += static_cast<char>(c);
            } else {
                char buf[4];
                std::snprintf(buf, sizeof buf, "%%%02X", c);
                enc += buf;
            }
        }
        return url + (url.find('?') == std::string::npos ? "?" : "&") + key + "=" + enc;
    }
    return url + " " + key + "='" + value + "'";
}

class StoreFixture : public ::testing::Test {
protected:
    void SetUp() override {
        ROOMCTL_REQUIRE_URL(m_url_opt, "ROOMCTL_TEST_DATABASE_URL",
                            "run `source scripts/lib/pg.sh; pg_start /tmp/pgx` first");
        m_url = *m_url_opt;
        m_conn = std::make_unique<pqxx::connection>(m_url);
        m_schema = unique_name("roomctl_test_");
        exec("CREATE SCHEMA " + q(m_schema));
    }

    void TearDown() override {
        if (m_conn) {
            try {
                exec("DROP SCHEMA IF EXISTS " + q(m_schema) + " CASCADE");
            } catch (const std::exception& e) {
                ADD_FAILURE() << "cleanup failed: " << e.what();
            }
        }
        for (const auto& role : m_roles) {
            try {
                admin_exec("DROP ROLE IF EXISTS " + q(role));
            } catch (const std::exception& e) {
                ADD_FAILURE() << "cleanup of role " << role << " failed: " << e.what();
            }
        }
    }

    std::string q(const std::string& id) { return m_conn->quote_name(id); }
    std::string qualified(const std::string& table) { return q(m_schema) + "." + q(table); }

    // Runs as the test role (ROOMCTL_TEST_DATABASE_URL), which owns the schema and its tables.
    template <typename... Args>
    pqxx::result exec(const std::string& sql, Args&&... args) {
        pqxx::work tx{*m_conn};
        auto r = tx.exec_params(sql, std::forward<Args>(args)...);
        tx.commit();
        return r;
    }

    // Runs as the superuser (PG_ADMIN_URL); the test must have called require_admin().
    void admin_exec(const std::string& sql) {
        pqxx::connection admin{*m_admin_url};
        pqxx::nontransaction tx{admin};
        tx.exec(sql);
    }

    // Skips (fails in CI) without PG_ADMIN_URL. Use as:
    //   require_admin(); if (!m_admin_url) return;
    void require_admin() {
        ROOMCTL_REQUIRE_URL(m_admin_url, "PG_ADMIN_URL", "scripts/lib/pg.sh pg_start sets it");
    }

    // A new login role (neither superuser nor owner of anything) that may read the schema;
    // returns its connection URL. Dropped after the test.
    std::string login_role(const std::string& options = "") {
        const std::string role = unique_name("roomctl_rls_");
        admin_exec("CREATE ROLE " + q(role) + " LOGIN PASSWORD 'rls-test' " + options);
        m_roles.push_back(role);
        exec("GRANT USAGE ON SCHEMA " + q(m_schema) + " TO " + q(role));
        return url_with(url_with(m_url, "user", role), "password", "rls-test");
    }
    const std::string& last_role() const { return m_roles.back(); }

    // The seed schema (003): livekit_rooms(room_name, room_sid, status, session_id, ...).
    void create_default_table() {
        exec("CREATE TABLE " + qualified("livekit_rooms") +
             " (id serial PRIMARY KEY, room_name text NOT NULL, room_sid text, "
             "status text, session_id uuid, created_by text DEFAULT current_user)");
    }

    void insert(const std::string& name, const std::optional<std::string>& sid,
                const std::optional<std::string>& status) {
        exec("INSERT INTO " + qualified("livekit_rooms") +
                 " (room_name, room_sid, status) VALUES ($1, $2, $3)",
             name, sid ? sid->c_str() : nullptr, status ? status->c_str() : nullptr);
    }

    config::RoomMapping default_mapping() {
        config::RoomMapping m;
        m.table = m_schema + ".livekit_rooms";
        return m;
    }

    std::optional<std::string> m_url_opt;
    std::optional<std::string> m_admin_url;
    std::string m_url;
    std::string m_schema;
    std::vector<std::string> m_roles;
    std::unique_ptr<pqxx::connection> m_conn;
};

// Expects `f` to throw roomctl::Error of `kind`; returns its message.
template <typename F>
std::string error_of(F&& f, ErrorKind kind) {
    try {
        f();
    } catch (const Error& e) {
        EXPECT_EQ(static_cast<int>(e.kind()), static_cast<int>(kind)) << e.what();
        return e.what();
    } catch (const std::exception& e) {
        ADD_FAILURE() << "not a roomctl::Error: " << e.what();
        return e.what();
    }
    ADD_FAILURE() << "no exception";
    return {};
}

}  // namespace roomctl::store::testing
