// Connection strings against libpq itself: redact_database_url (hand-written, in the core) is
// held to what PQconninfoParse says the password is, for many spellings; passwords with any
// character connect for real (ALTER ROLE ... PASSWORD through PG_ADMIN_URL) and never show up
// in an error message.

#include "roomctl/store/conninfo.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "roomctl/store/room_store.hpp"
#include "roomctl/util/redact.hpp"
#include "store_fixture.hpp"

namespace roomctl::store {
namespace {

using testing::error_of;

// Passwords that broke hand-written grammars: URI delimiters, quotes, backslashes, spaces,
// percent signs (with and without valid escapes), keyword syntax, non-ASCII.
const std::vector<std::string>& tricky_passwords() {
    static const std::vector<std::string> passwords = {
        "plain-Secret9",
        "with#hash#inside",
        "what?query?mark",
        "slash/in/the/middle",
        "at@sign@twice",
        "colon:and:more",
        "amp&and=equals",
        "percent%41literal",
        "percent%zzbroken",
        "100%",
        "single'quote'",
        "back\\slash\\",
        "dou\"ble\"quo",
        "spa ce  s",
        " leading-space",
        "trailing-space ",
        "tab\there",
        "password=inside",
        "host=evil port=1",
        "postgresql://x:y@z",
        "@/?#:&=%",
        "'\\'\\\\''",
        "p\xc3\xa4sswörd-\xe2\x9c\x93",  // non-ASCII (UTF-8)
        "\xf0\x9f\x94\x91-key-emoji",
        "[::1]-bracket",
        "comma,and,comma",
    };
    return passwords;
}

std::string percent_encode(const std::string& s) {
    std::string out;
    for (unsigned char c : s) {
        if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
            out += static_cast<char>(c);
        } else {
            char buf[4];
            std::snprintf(buf, sizeof buf, "%%%02X", c);
            out += buf;
        }
    }
    return out;
}

// keyword='value' with \ and ' escaped.
std::string quoted(const std::string& s) {
    std::string out = "'";
    for (char c : s) {
        if (c == '\\' || c == '\'') out += '\\';
        out += c;
    }
    return out + "'";
}

// A bare keyword value: every space, quote and backslash escaped with a backslash.
std::string bare(const std::string& s) {
    std::string out;
    for (char c : s) {
        if (c == '\\' || c == '\'' || std::isspace(static_cast<unsigned char>(c))) out += '\\';
        out += c;
    }
    return out;
}

// Every way libpq accepts to spell `password` for user u on host h, database d.
std::vector<std::string> spellings(const std::string& password, const std::string& host,
                                   const std::string& port, const std::string& user,
                                   const std::string& db) {
    const std::string enc = percent_encode(password);
    std::vector<std::string> out = {
        "postgresql://" + percent_encode(user) + ":" + enc + "@" + host + ":" + port + "/" + db,
        "postgres://" + percent_encode(user) + ":" + enc + "@" + host + ":" + port + "/" + db +
            "?sslmode=disable",
        "postgresql://" + host + ":" + port + "/" + db + "?user=" + percent_encode(user) +
            "&password=" + enc,
        "postgresql://" + percent_encode(user) + "@" + host + ":" + port + "/" + db +
            "?application_name=x&password=" + enc + "&connect_timeout=9",
        "host=" + host + " port=" + port + " user=" + quoted(user) + " dbname=" + db +
            " password=" + quoted(password),
        "password = " + quoted(password) + "  host=" + host + " port=" + port + " dbname=" + db +
            " user=" + quoted(user),
        "host=" + host + " port=" + port + " dbname=" + db + " user=" + quoted(user) +
            " password=" + bare(password),
    };
    // Raw in the userinfo, where libpq reads it so: up to the first '@', no '/', and '%' only
    // as a valid escape.
    const bool raw_ok = password.find_first_of("@/%") == std::string::npos &&
                        std::none_of(password.begin(), password.end(), [](char c) {
                            return std::isspace(static_cast<unsigned char>(c));
                        });
    if (raw_ok)
        out.push_back("postgresql://" + percent_encode(user) + ":" + password + "@" + host + ":" +
                      port + "/" + db);
    return out;
}

std::string value_of(const ConnOptions& o, const std::string& key) {
    const std::string* v = find_option(o, key);
    return v ? *v : std::string{"(unset)"};
}

void expect_redacted(const std::string& url, const std::string& password) {
    SCOPED_TRACE("url: " + url);
    const ConnOptions parsed = parse_conninfo(url);
    ASSERT_EQ(value_of(parsed, "password"), password) << "the test spelled it wrong";
    const std::string redacted = redact_database_url(url);
    EXPECT_EQ(redacted.find(password), std::string::npos) << redacted;
    const ConnOptions again = parse_conninfo(redacted);
    EXPECT_EQ(value_of(again, "password"), std::string{k_redacted}) << redacted;
    for (const char* key :
         {"host", "port", "user", "dbname", "sslmode", "application_name", "connect_timeout"})
        EXPECT_EQ(value_of(again, key), value_of(parsed, key)) << key << " in " << redacted;
    const auto secrets = database_url_secrets(url);
    EXPECT_NE(std::find(secrets.begin(), secrets.end(), password), secrets.end())
        << "database_url_secrets misses the password";
}

TEST(ConnInfoRedaction, EveryPasswordSpellingIsHiddenAndTheRestKept) {
    for (const auto& password : tricky_passwords())
        for (const auto& url : spellings(password, "db.example.com", "6543", "app.user", "rooms"))
            expect_redacted(url, password);
}

TEST(ConnInfoRedaction, RandomPasswordsAreHiddenAndTheRestKept) {
    std::mt19937 rng{20261130};
    const std::string alphabet =
        "abcXYZ019 !\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~\t\xc3\xa9\xe2\x82\xac";
    std::uniform_int_distribution<std::size_t> pick(0, alphabet.size() - 1);
    std::uniform_int_distribution<int> length(6, 24);
    for (int i = 0; i < 400; ++i) {
        std::string password;
        const int n = length(rng);
        for (int k = 0; k < n; ++k) password += alphabet[pick(rng)];
        // Cut UTF-8 sequences are fine for libpq's parser; keep the password distinctive.
        password = "Z" + password + "Q";
        for (const auto& url : spellings(password, "10.0.0.7", "5432", "u", "d"))
            expect_redacted(url, password);
    }
}

TEST(ConnInfoRedaction, StringsWithoutAPasswordAreUnchanged) {
    for (const std::string url :
         {"", "host=/var/run/postgresql dbname=rooms", "postgresql://u@h:5432/db?sslmode=require",
          "postgresql:///rooms?host=/tmp", "service=prod", "postgresql://[::1]:5432/db",
          "postgresql://h1:5432,h2:5433/db?target_session_attrs=read-write"}) {
        EXPECT_EQ(redact_database_url(url), url);
        EXPECT_TRUE(database_url_secrets(url).empty()) << url;
    }
}

TEST(ConnInfoRedaction, SslPasswordIsASecretToo) {
    const std::string url = "host=h sslkey=/k sslpassword='key pass phrase' dbname=d";
    EXPECT_EQ(value_of(parse_conninfo(url), "sslpassword"), "key pass phrase");
    EXPECT_EQ(redact_database_url(url).find("key pass"), std::string::npos);
}

// Strings libpq rejects: the redaction still hides what the user meant as the password, and
// the parse error never shows it.
TEST(ConnInfoRedaction, MalformedStringsHideThePasswordEverywhere) {
    const std::string secret = "Sup3rSecretPw";
    const std::vector<std::string> urls = {
        "postgresql://u:" + secret + "%zz@h/db",           // bad percent-escape
        "postgresql://u:" + secret + "/x@h/db",            // raw '/'
        "postgresql://u:" + secret + "@x@h/db",            // raw '@'
        "postgresql://u:" + secret + "?x@h:5432/db",       // '?' before '@': libpq takes it
        "postgresql://h/db?password=" + secret + "&oops",  // parameter without '='
        "postgresql://h/db?password=" + secret + "=x",     // second '='
        "host=h password='" + secret,                      // unterminated quote
        "host=h password=" + secret + " nonsense",         // keyword without '='
        "mysql://u:" + secret + "@h/db",                   // another scheme
        "POSTGRESQL://u:" + secret + "@h/db",              // libpq's prefix is lower case
        "host=h bogus_option=1 password=" + secret,        // unknown keyword
        "host=h password='it''s " + secret + "' user=u",   // SQL-style quote doubling
        "host=h password='x'" + secret + " user=u",        // text glued to a quoted value
        "host=h oops " + secret + " PassWord=" + secret,   // a word without '=' first
    };
    for (const auto& url : urls) {
        SCOPED_TRACE(url);
        EXPECT_EQ(redact_database_url(url).find(secret), std::string::npos)
            << redact_database_url(url);
        try {
            (void)parse_conninfo(url);
        } catch (const Error& e) {
            EXPECT_EQ(e.kind(), ErrorKind::config);
            EXPECT_EQ(std::string{e.what()}.find(secret), std::string::npos) << e.what();
            EXPECT_EQ(std::string{e.what()}.find('\n'), std::string::npos) << e.what();
        }
    }
}

// The defaults roomctl adds give way to the string and to libpq's environment.
// Restores libpq variables a test changes.
class SavedEnv {
public:
    explicit SavedEnv(std::vector<std::string> names) : m_names(std::move(names)) {
        for (const auto& n : m_names) {
            const char* v = std::getenv(n.c_str());
            m_values.push_back(v ? std::optional<std::string>{v} : std::nullopt);
            ::unsetenv(n.c_str());
        }
    }
    ~SavedEnv() {
        for (std::size_t i = 0; i < m_names.size(); ++i) {
            if (m_values[i])
                ::setenv(m_names[i].c_str(), m_values[i]->c_str(), 1);
            else
                ::unsetenv(m_names[i].c_str());
        }
    }

private:
    std::vector<std::string> m_names;
    std::vector<std::optional<std::string>> m_values;
};

TEST(ConnInfoDefaults, AddedOnlyWhenNothingElseDecides) {
    const SavedEnv saved{{"PGCONNECT_TIMEOUT", "PGCLIENTENCODING", "PGSERVICE"}};
    auto o = with_defaults(parse_conninfo("postgresql://u:p%27w@h/db"));
    EXPECT_EQ(value_of(o, "connect_timeout"), "5");
    EXPECT_EQ(value_of(o, "client_encoding"), "UTF8");
    EXPECT_EQ(value_of(o, "fallback_application_name"), "roomctl");
    EXPECT_EQ(value_of(o, "password"), "p'w");
    o = with_defaults(
        parse_conninfo("host=h connect_timeout=11 client_encoding=LATIN1 application_name=mine"));
    EXPECT_EQ(value_of(o, "connect_timeout"), "11");
    EXPECT_EQ(value_of(o, "client_encoding"), "LATIN1");
    EXPECT_EQ(value_of(o, "fallback_application_name"), "(unset)");
    ::setenv("PGCONNECT_TIMEOUT", "3", 1);
    o = with_defaults(parse_conninfo("host=h"));
    EXPECT_EQ(value_of(o, "connect_timeout"), "(unset)");
    ::unsetenv("PGCONNECT_TIMEOUT");
    o = with_defaults(parse_conninfo("service=prod"));
    EXPECT_EQ(value_of(o, "connect_timeout"), "(unset)");
    EXPECT_EQ(value_of(o, "client_encoding"), "(unset)");
}

// ---------------------------------------------------------------------------------------------
// Real connections
// ---------------------------------------------------------------------------------------------

class TrickyPasswordTest : public testing::StoreFixture {
protected:
    struct Server {
        std::string host, port, db;
    };
    Server server() {
        auto r = exec("SELECT host(inet_server_addr()), inet_server_port(), current_database()");
        if (r[0][0].is_null()) return {};
        return {r[0][0].c_str(), r[0][1].c_str(), r[0][2].c_str()};
    }
};

TEST_F(TrickyPasswordTest, EveryPasswordConnectsInEverySpellingAndNeverShowsInErrors) {
    require_admin();
    if (!m_admin_url) return;
    const Server s = server();
    if (s.host.empty()) GTEST_SKIP() << "the test database is not reached over TCP";
    create_default_table();
    insert("r1", "RM_1", "active");
    const std::string role_url = login_role();  // password 'rls-test' until changed below
    const std::string role = last_role();
    exec("GRANT SELECT ON " + qualified("livekit_rooms") + " TO " + q(role));
    for (const auto& password : tricky_passwords()) {
        SCOPED_TRACE("password: " + password);
        if (password.find('\t') != std::string::npos) continue;  // fine for libpq; skip noise
        admin_exec("ALTER ROLE " + q(role) + " PASSWORD " + m_conn->quote(password));
        for (const auto& url : spellings(password, s.host, s.port, role, s.db)) {
            SCOPED_TRACE("url: " + url);
            try {
                auto store = connect_room_store(url, default_mapping(), StoreOptions{});
                EXPECT_EQ(store->load_rooms().size(), 1u);
                EXPECT_EQ(store->target().user, role);
            } catch (const Error& e) {
                ADD_FAILURE() << "did not connect: " << e.what();
            }
        }
        // One wrong character: refused (in a URI and in keyword form), and the message shows
        // neither the wrong password nor the right one.
        const std::string wrong = password + "X";
        const auto bad_spellings = spellings(wrong, s.host, s.port, role, s.db);
        for (const auto& bad : {bad_spellings[0], bad_spellings[4]}) {
            SCOPED_TRACE("wrong: " + bad);
            const std::string msg =
                error_of([&] { connect_room_store(bad, default_mapping(), StoreOptions{}); },
                         ErrorKind::auth);
            EXPECT_EQ(msg.find(password), std::string::npos) << msg;
            EXPECT_EQ(msg.find('\n'), std::string::npos) << msg;
        }
    }
}

}  // namespace
}  // namespace roomctl::store
