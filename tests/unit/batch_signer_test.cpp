// BatchSigner must produce exactly what sign_hs256 produces for the same claims.

#include <gtest/gtest.h>

#include "roomctl/livekit/access_token.hpp"
#include "roomctl/token/batch.hpp"
#include "roomctl/token/jwt.hpp"
#include "roomctl/util/error.hpp"

namespace roomctl::token {
namespace {

TEST(BatchSigner, MatchesTheSlowPathByteForByte) {
    livekit::AccessTokenSpec spec;
    spec.api_key = "APIbatch";
    spec.video.room_join = true;
    spec.identity = BatchSigner::placeholder(0);
    spec.name = BatchSigner::placeholder(1);
    spec.video.room = BatchSigner::placeholder(2);
    auto now = std::chrono::system_clock::time_point{std::chrono::seconds{1'700'000'000}};
    BatchSigner batch(livekit::build_claims(spec, now), "s3cret");
    ASSERT_EQ(batch.slots(), 3u);
    for (auto [id, name, room] : std::vector<std::tuple<std::string, std::string, std::string>>{
             {"u-1", "User 1", "r-1"},
             {"quote\"back\\slash", "Zoë 会议", "room/with space"},
             {"", "", "x"}}) {
        // Empty values drop out of the slow path's claims (the batch keeps the key), so the
        // command uses the batch only when every templated value is non-empty.
        if (id.empty() || name.empty()) continue;
        auto one = spec;
        one.identity = id;
        one.name = name;
        one.video.room = room;
        auto claims = livekit::build_claims(one, now);
        EXPECT_EQ(batch.sign({id, name, room}), sign_hs256(claims, "s3cret")) << id;
        EXPECT_TRUE(verify_hs256(decode(batch.sign({id, name, room})), "s3cret"));
    }
}

TEST(BatchSigner, AppendJsonStringWritesWhatNlohmannWrites) {
    for (std::string value :
         {std::string{"u-1"}, std::string{""}, std::string{"a\"b\\c"},
          std::string{"tab\there\nnewline"}, std::string{"\x7f del"}, std::string{"Zoë 会议 🎥"},
          std::string{"nul\0inside", 11}, std::string{"</script>"}}) {
        std::string out = "prefix:";
        append_json_string(value, out);
        EXPECT_EQ(out, "prefix:" + nlohmann::json(value).dump()) << value;
    }
    std::string out;
    EXPECT_THROW(append_json_string("bad \xff utf-8", out), Error);
}

TEST(BatchSigner, ManyTokensInARowEachMatchTheSlowPath) {
    // The HMAC context is re-initialised per token, not rebuilt: a stale state would show
    // from the second token on.
    livekit::AccessTokenSpec spec;
    spec.api_key = "APIbatch";
    spec.video.room_join = true;
    spec.identity = BatchSigner::placeholder(0);
    auto now = std::chrono::system_clock::time_point{std::chrono::seconds{1'700'000'000}};
    BatchSigner batch(livekit::build_claims(spec, now), "s3cret");
    for (int i = 1; i <= 50; ++i) {
        auto one = spec;
        one.identity = "user-" + std::to_string(i);
        EXPECT_EQ(batch.sign({one.identity}),
                  sign_hs256(livekit::build_claims(one, now), "s3cret"));
    }
}

TEST(BatchSigner, KeepsExtraHeadersAndRejectsBadInput) {
    nlohmann::json claims = {{"sub", BatchSigner::placeholder(0)}, {"exp", 1}};
    BatchSigner batch(claims, "k", {{"cty", "twilio-fpa;v=1"}});
    auto token = batch.sign({"AC1"});
    EXPECT_EQ(token, sign_hs256({{"sub", "AC1"}, {"exp", 1}}, "k", {{"cty", "twilio-fpa;v=1"}}));
    EXPECT_THROW(batch.sign({}), Error);
    EXPECT_THROW(batch.sign({std::string_view{"\xff\xfe"}}), Error);
}

}  // namespace
}  // namespace roomctl::token
