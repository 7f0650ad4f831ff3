// The journal file (journal/journal.hpp) and the metrics file (report/metrics.hpp): torn
// lines, directory modes, full disks, and a success timestamp only successes refresh.

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "roomctl/journal/journal.hpp"
#include "roomctl/report/metrics.hpp"

namespace roomctl {
namespace {

namespace fs = std::filesystem;

class TempDir : public ::testing::Test {
protected:
    void SetUp() override {
        char pattern[] = "/tmp/roomctl-journal-XXXXXX";
        ASSERT_NE(::mkdtemp(pattern), nullptr);
        dir = pattern;
    }
    void TearDown() override { fs::remove_all(dir); }

    static std::string read(const fs::path& p) {
        std::ifstream in(p);
        std::stringstream s;
        s << in.rdbuf();
        return s.str();
    }
    static void write(const fs::path& p, const std::string& text) {
        std::ofstream out(p, std::ios::binary);
        out << text;
    }
    static unsigned mode(const fs::path& p) {
        struct stat st {};
        ::stat(p.c_str(), &st);
        return st.st_mode & 07777;
    }

    fs::path dir;
};

using JournalFile = TempDir;

TEST_F(JournalFile, ATornLastLineNeverMergesWithTheNextRunsFirstLine) {
    auto path = dir / "journal.jsonl";
    write(path, "{\"phase\":\"start\"}\n{\"phase\":\"end\",\"sta");  // disk filled mid-line
    {
        journal::Journal j(path.string());
        j.append({{"phase", "start"}, {"room", "r2"}});
    }
    EXPECT_EQ(
        read(path),
        "{\"phase\":\"start\"}\n{\"phase\":\"end\",\"sta\n{\"phase\":\"start\",\"room\":\"r2\"}\n");
}

TEST_F(JournalFile, AWholeFileGetsNoBlankLine) {
    auto path = dir / "journal.jsonl";
    write(path, "{\"a\":1}\n");
    journal::Journal(path.string()).append({{"b", 2}});
    EXPECT_EQ(read(path), "{\"a\":1}\n{\"b\":2}\n");
    auto empty = dir / "empty.jsonl";
    write(empty, "");
    journal::Journal(empty.string()).append({{"b", 2}});
    EXPECT_EQ(read(empty), "{\"b\":2}\n");
}

TEST_F(JournalFile, AnExistingDirectoryKeepsItsMode) {
    auto shared = dir / "log";
    fs::create_directory(shared);
    ::chmod(shared.c_str(), 0755);  // /var/log: other services write here
    journal::Journal((shared / "roomctl.jsonl").string()).append({{"a", 1}});
    EXPECT_EQ(mode(shared), 0755u);
    EXPECT_EQ(mode(shared / "roomctl.jsonl"), 0600u);
}

TEST_F(JournalFile, OnlyTheDirectoriesItCreatesAre0700) {
    ::chmod(dir.c_str(), 0751);
    auto path = dir / "state" / "roomctl" / "journal.jsonl";
    mode_t old = ::umask(022);
    journal::Journal(path.string()).append({{"a", 1}});
    ::umask(old);
    EXPECT_EQ(mode(dir), 0751u);
    EXPECT_EQ(mode(dir / "state"), 0700u);
    EXPECT_EQ(mode(dir / "state" / "roomctl"), 0700u);
}

TEST_F(JournalFile, AFullDiskIsAnErrorNamingThePath) {
    journal::Journal j("/dev/full");
    try {
        j.append({{"a", 1}});
        ADD_FAILURE() << "a write to /dev/full must fail";
    } catch (const Error& e) {
        EXPECT_EQ(e.kind(), ErrorKind::runtime);
        EXPECT_EQ(std::string{e.what()}, "cannot write journal /dev/full: No space left on device");
    }
}

TEST_F(JournalFile, ADirectoryThatCannotBeCreatedIsAConfigError) {
    auto blocker = dir / "file";
    write(blocker, "x");
    try {
        journal::Journal j((blocker / "sub" / "j.jsonl").string());
        ADD_FAILURE() << "a path under a regular file cannot be a journal";
    } catch (const Error& e) {
        EXPECT_EQ(e.kind(), ErrorKind::config);
        EXPECT_NE(std::string{e.what()}.find("--journal"), std::string::npos) << e.what();
    }
}

// --- metrics ---------------------------------------------------------------------------------

TEST(Metrics, OnlyRunsThatDidTheirWorkAreSuccesses) {
    EXPECT_TRUE(report::run_succeeded("cleanup", 0));
    EXPECT_TRUE(report::run_succeeded("audit", 0));
    EXPECT_TRUE(report::run_succeeded("audit", 5));  // drift found: the audit was done
    EXPECT_FALSE(report::run_succeeded("check", 5));
    for (int code : {1, 3, 4, 6, 7, 8, 130}) {
        EXPECT_FALSE(report::run_succeeded("cleanup", code)) << code;
        EXPECT_FALSE(report::run_succeeded("audit", code)) << code;
    }
}

using MetricsFile = TempDir;

TEST_F(MetricsFile, TheSuccessTimestampIsReadBackFromTheRenderedFile) {
    report::RunMetrics m;
    m.command = "cleanup";
    m.provider = "twi\"lio}";  // escaped label values do not confuse the reader
    m.finished_at = 1'700'000'000;
    m.last_success = 1'699'999'000;
    auto path = dir / "roomctl.prom";
    report::write_file_atomically(path.string(), report::render_prometheus(m));
    EXPECT_EQ(report::read_last_success(path.string()), 1'699'999'000);
    auto text = read(path);
    EXPECT_NE(text.find("# TYPE roomctl_last_success_timestamp_seconds gauge\n"),
              std::string::npos);
    EXPECT_NE(text.find("roomctl_last_run_timestamp_seconds{provider=\"twi\\\"lio}\",command=\""
                        "cleanup\"} 1700000000\n"),
              std::string::npos)
        << text;
}

TEST_F(MetricsFile, NoSuccessYetRendersZeroAndReadsAsNone) {
    report::RunMetrics m;
    m.command = "cleanup";
    m.provider = "livekit";
    auto text = report::render_prometheus(m);
    EXPECT_NE(text.find("roomctl_last_success_timestamp_seconds{provider=\"livekit\",command=\""
                        "cleanup\"} 0\n"),
              std::string::npos)
        << text;
    auto path = dir / "m.prom";
    write(path, text);
    EXPECT_EQ(report::read_last_success(path.string()), std::nullopt);
    EXPECT_EQ(report::read_last_success((dir / "absent.prom").string()), std::nullopt);
    write(path, "roomctl_last_success_timestamp_seconds 1.7e+09\n");
    EXPECT_EQ(report::read_last_success(path.string()), 1'700'000'000);
    write(path, "roomctl_last_success_timestamp_seconds_total{x=\"1\"} 5\n");
    EXPECT_EQ(report::read_last_success(path.string()), std::nullopt);
}

}  // namespace
}  // namespace roomctl
