// Connecting: the server's version, extra parameters in either form, and the kind and words of
// every failure (wrong password, unknown database, closed port, unknown host, malformed string),
// never with the password. Against a real PostgreSQL (tests/db/store_fixture.hpp).

#include <gtest/gtest.h>

#include <cstdlib>
#include <string>
#include <vector>

#include "roomctl/store/room_store.hpp"
#include "store_fixture.hpp"

namespace roomctl::store {
namespace {

using testing::error_of;
using testing::url_with;

class StoreConnectTest : public testing::StoreFixture {
protected:
    // Where the test server is, for building URLs that differ in one respect.
    struct ServerInfo {
        std::string host, port, user, db;
    };
    ServerInfo server() {
        auto r = exec(
            "SELECT coalesce(host(inet_server_addr()), ''), coalesce(inet_server_port(), 0), "
            "current_user, current_database()");
        ServerInfo s{r[0][0].c_str(), r[0][1].c_str(), r[0][2].c_str(), r[0][3].c_str()};
        if (s.host.empty() || s.port == "0") {
            // Over a unix socket: use libpq's view of the connection.
            s.host = m_conn->hostname() ? m_conn->hostname() : "";
            s.port = m_conn->port() ? m_conn->port() : "";
        }
        return s;
    }
};

TEST_F(StoreConnectTest, ProbeReportsServerVersion) {
    const auto v = probe_database(m_url);
    EXPECT_TRUE(v.starts_with("PostgreSQL ")) << v;
    EXPECT_GE(v.size(), std::string{"PostgreSQL 9"}.size()) << v;
    EXPECT_EQ(v.find(' ', 11), std::string::npos) << v;
}

TEST_F(StoreConnectTest, ConnectsWithExtraParametersInEitherForm) {
    create_default_table();
    // An existing query string ("?..."), so defaults are appended with '&'.
    EXPECT_NO_THROW(
        connect_room_store(url_with(m_url, "sslmode", "disable"), default_mapping(), StoreOptions{})
            ->load_rooms());
    EXPECT_NO_THROW(probe_database(url_with(m_url, "connect_timeout", "7")));
    EXPECT_NO_THROW(probe_database(url_with(m_url, "application_name", "roomctl-test")));
    // Keyword/value form.
    const auto srv = server();
    const std::string kv = "host='" + srv.host + "' port=" + srv.port + " user='" + srv.user +
                           "' dbname='" + srv.db + "'";
    const char* pw = std::getenv("PGPASSWORD");
    std::string password = pw ? pw : "";
    if (m_url.starts_with("postgres")) {
        // postgresql://user:password@... -> take the password from the test URL.
        const auto start = m_url.find("://") + 3;
        const auto at = m_url.find('@', start);
        const auto colon = m_url.find(':', start);
        if (at != std::string::npos && colon < at)
            password = m_url.substr(colon + 1, at - colon - 1);
    }
    const std::string kv_url = kv + (password.empty() ? "" : " password='" + password + "'");
    const auto v = probe_database(kv_url);
    EXPECT_TRUE(v.starts_with("PostgreSQL ")) << v;
    // Client encoding is UTF8 whatever the environment says, so names round-trip exactly.
    auto s = connect_room_store(kv_url, default_mapping(), StoreOptions{});
    insert("ünïcødé", std::nullopt, "active");
    EXPECT_TRUE(s->is_live("ünïcødé"));
}

TEST_F(StoreConnectTest, WrongPasswordIsAuthErrorWithoutThePassword) {
    const auto srv = server();
    if (srv.host.empty() || srv.host.starts_with("/"))
        GTEST_SKIP() << "test server is reached over a unix socket; password auth not testable";
    const std::string bad = "Wr0ng-Pa55w0rd-zq";
    const std::string uri =
        "postgresql://" + srv.user + ":" + bad + "@" + srv.host + ":" + srv.port + "/" + srv.db;
    auto msg = error_of([&] { connect_room_store(uri, config::RoomMapping{}, StoreOptions{}); },
                        ErrorKind::auth);
    EXPECT_TRUE(msg.starts_with("database refused the credentials: ")) << msg;
    EXPECT_NE(msg.find("password authentication failed"), std::string::npos) << msg;
    EXPECT_EQ(msg.find(bad), std::string::npos) << msg;
    EXPECT_EQ(msg.find('\n'), std::string::npos) << msg;

    const std::string kv = "host=" + srv.host + " port=" + srv.port + " user=" + srv.user +
                           " dbname=" + srv.db + " password='" + bad + "'";
    msg = error_of([&] { probe_database(kv); }, ErrorKind::auth);
    EXPECT_EQ(msg.find(bad), std::string::npos) << msg;

    // An unknown role gets the same answer from a scram-sha-256 server.
    const std::string nobody = "postgresql://nobody_" + m_schema + ":" + bad + "@" + srv.host +
                               ":" + srv.port + "/" + srv.db;
    msg = error_of([&] { probe_database(nobody); }, ErrorKind::auth);
    EXPECT_EQ(msg.find(bad), std::string::npos) << msg;
}

TEST_F(StoreConnectTest, UnknownDatabaseIsConfigError) {
    const auto srv = server();
    if (srv.host.empty() || srv.host.starts_with("/")) GTEST_SKIP();
    const auto at = m_url.find('@');
    ASSERT_NE(at, std::string::npos);
    const auto slash = m_url.find('/', at);
    ASSERT_NE(slash, std::string::npos);
    const std::string url = m_url.substr(0, slash) + "/no_such_db_" + m_schema;
    const auto msg = error_of([&] { probe_database(url); }, ErrorKind::config);
    EXPECT_NE(msg.find("does not exist"), std::string::npos) << msg;
}

TEST(RoomStoreConnect, ClosedPortIsRuntimeError) {
    // Port 1 on loopback: nothing listens there, the kernel refuses at once.
    const std::string secret = "s3cr3t-pw-closed";
    const auto msg = error_of(
        [&] {
            connect_room_store("postgresql://u:" + secret + "@127.0.0.1:1/db",
                               config::RoomMapping{}, StoreOptions{});
        },
        ErrorKind::runtime);
    EXPECT_TRUE(msg.starts_with("cannot reach the database: ")) << msg;
    EXPECT_NE(msg.find("refused"), std::string::npos) << msg;
    EXPECT_EQ(msg.find(secret), std::string::npos) << msg;
    error_of([&] { probe_database("host=127.0.0.1 port=1 password=" + secret); },
             ErrorKind::runtime);
}

TEST(RoomStoreConnect, UnresolvableHostIsRuntimeError) {
    const auto msg =
        error_of([&] { probe_database("postgresql://u:pw@no-such-host.invalid:5432/db"); },
                 ErrorKind::runtime);
    EXPECT_TRUE(msg.starts_with("cannot reach the database: ")) << msg;
}

TEST(RoomStoreConnect, MalformedUrlIsConfigErrorWithoutThePassword) {
    const std::string secret = "Hunter2Secret";
    const std::vector<std::string> urls = {
        "host=127.0.0.1 port",                                    // missing "="
        "host=127.0.0.1 password=" + secret + " bogus_option=1",  // invalid option
        "host=127.0.0.1 password='" + secret,                     // unterminated quote
        "postgresql://u:" + secret + "@127.0.0.1:1/db?bogus=1",   // invalid URI parameter
        "postgresql://u:" + secret + "%zz@127.0.0.1:1/db",        // bad %-escape in password
        "postgresql://u:" + secret + "@[::1/db",                  // echoes the whole URI
        "postgresql://u:" + secret + "@127.0.0.1:1/db?sslmode=sometimes",
        "password=" + secret + " extra words",
    };
    for (const auto& url : urls) {
        const auto msg =
            error_of([&] { connect_room_store(url, config::RoomMapping{}, StoreOptions{}); },
                     ErrorKind::config);
        EXPECT_TRUE(msg.starts_with("malformed database URL: ")) << url << " -> " << msg;
        EXPECT_EQ(msg.find(secret), std::string::npos) << url << " -> " << msg;
        EXPECT_EQ(msg.find("Hunter"), std::string::npos) << url << " -> " << msg;
        EXPECT_EQ(msg.find('\n'), std::string::npos) << msg;
        const auto msg2 = error_of([&] { probe_database(url); }, ErrorKind::config);
        EXPECT_EQ(msg2, msg);
    }
}

}  // namespace
}  // namespace roomctl::store
