// RoomStore::row_visibility against a real PostgreSQL, Supabase style: the table belongs to
// the test role (ROOMCTL_TEST_DATABASE_URL), ROW LEVEL SECURITY is enabled, and another login
// role, neither superuser nor owner (made with PG_ADMIN_URL), reads it.

#include <gtest/gtest.h>

#include <string>

#include "roomctl/store/room_store.hpp"
#include "store_fixture.hpp"

namespace roomctl::store {
namespace {

using testing::url_with;

class RowVisibilityTest : public testing::StoreFixture {
protected:
    // Three rows written by the owner, RLS enabled, and a reader role with SELECT on the
    // table; returns the reader's URL.
    std::string reader_setup(const std::string& role_options = "") {
        create_default_table();
        insert("a", "RM_a", "active");
        insert("b", "RM_b", "active");
        insert("c", "RM_c", "ended");
        exec("ALTER TABLE " + qualified("livekit_rooms") + " ENABLE ROW LEVEL SECURITY");
        const std::string url = login_role(role_options);
        exec("GRANT SELECT ON " + qualified("livekit_rooms") + " TO " + q(last_role()));
        return url;
    }
    RowVisibility visibility(const std::string& url) {
        return connect_room_store(url, default_mapping(), StoreOptions{})->row_visibility();
    }
    std::string table() { return m_schema + ".livekit_rooms"; }
    static std::string policy(const std::string& rest) { return "CREATE POLICY " + rest; }
};

bool contains(const std::string& hay, const std::string& needle) {
    return hay.find(needle) != std::string::npos;
}

// (a) Supabase's default: RLS on, no policy. The role silently reads nothing.
TEST_F(RowVisibilityTest, NoPolicyMeansTheRoleSeesNothingAndCannotBeShownToSeeAll) {
    require_admin();
    if (!m_admin_url) return;
    const std::string url = reader_setup();
    exec("ANALYZE " + qualified("livekit_rooms"));
    const auto v = visibility(url);
    EXPECT_EQ(v.role, last_role());
    EXPECT_EQ(v.table, table());
    EXPECT_TRUE(v.rls_enabled);
    EXPECT_FALSE(v.rls_forced);
    EXPECT_FALSE(v.superuser || v.bypassrls || v.owner);
    EXPECT_TRUE(v.applies);
    EXPECT_FALSE(v.sees_all_rows);
    EXPECT_TRUE(v.policies.empty());
    EXPECT_EQ(v.visible_rows, 0);
    EXPECT_EQ(v.estimated_rows, 3);
    EXPECT_TRUE(contains(v.explanation, "sees 0 rows of about 3")) << v.explanation;
    EXPECT_TRUE(contains(v.explanation, "no SELECT policy applies")) << v.explanation;
    EXPECT_TRUE(contains(v.fix, "ALTER ROLE roomctl BYPASSRLS")) << v.fix;
    EXPECT_TRUE(contains(v.fix, "CREATE POLICY roomctl_read ON " + table() + " FOR SELECT TO " +
                                    last_role() + " USING (true)"))
        << v.fix;
    EXPECT_EQ(v.explanation.find('\n'), std::string::npos);
    // What the rest of roomctl would have read:
    EXPECT_TRUE(connect_room_store(url, default_mapping(), StoreOptions{})->load_rooms().empty());
}

TEST_F(RowVisibilityTest, NeverAnalysedTableHasNoEstimate) {
    require_admin();
    if (!m_admin_url) return;
    const auto v = visibility(reader_setup());
    EXPECT_FALSE(v.estimated_rows.has_value());
    EXPECT_TRUE(contains(v.explanation, "sees 0 rows (")) << v.explanation;
}

// (b) A policy that shows each user their own rows: some rows, not provably all.
TEST_F(RowVisibilityTest, ConditionalPolicySeesSomeRowsAndIsNamed) {
    require_admin();
    if (!m_admin_url) return;
    const std::string url = reader_setup();
    exec(policy("own_rows ON " + qualified("livekit_rooms") + " FOR SELECT TO " + q(last_role()) +
                " USING (created_by = current_user)"));
    exec("UPDATE " + qualified("livekit_rooms") + " SET created_by = $1 WHERE room_name = 'a'",
         last_role());
    const auto v = visibility(url);
    EXPECT_TRUE(v.applies);
    EXPECT_FALSE(v.sees_all_rows);
    EXPECT_EQ(v.visible_rows, 1);
    ASSERT_EQ(v.policies.size(), 1u);
    EXPECT_EQ(v.policies[0].name, "own_rows");
    EXPECT_EQ(v.policies[0].command, "SELECT");
    EXPECT_TRUE(v.policies[0].permissive);
    EXPECT_EQ(v.policies[0].roles, std::vector<std::string>{last_role()});
    ASSERT_TRUE(v.policies[0].using_expr.has_value());
    EXPECT_TRUE(contains(*v.policies[0].using_expr, "CURRENT_USER")) << *v.policies[0].using_expr;
    EXPECT_TRUE(contains(v.explanation, "\"own_rows\" FOR SELECT TO " + last_role() +
                                            " USING (created_by = CURRENT_USER)"))
        << v.explanation;
    EXPECT_FALSE(v.fix.empty());
}

// (c) FOR SELECT ... USING (true): provably every row.
TEST_F(RowVisibilityTest, UnconditionalSelectPolicyShowsEveryRow) {
    require_admin();
    if (!m_admin_url) return;
    const std::string url = reader_setup();
    exec(policy("roomctl_read ON " + qualified("livekit_rooms") + " FOR SELECT TO " +
                q(last_role()) + " USING (true)"));
    const auto v = visibility(url);
    EXPECT_TRUE(v.applies);
    EXPECT_TRUE(v.sees_all_rows);
    EXPECT_EQ(v.visible_rows, 3);
    EXPECT_TRUE(v.fix.empty());
    EXPECT_TRUE(contains(v.explanation, "\"roomctl_read\"")) << v.explanation;
}

TEST_F(RowVisibilityTest, ARestrictivePolicySpoilsTheProof) {
    require_admin();
    if (!m_admin_url) return;
    const std::string url = reader_setup();
    exec(policy("roomctl_read ON " + qualified("livekit_rooms") +
                " FOR SELECT TO public "
                "USING (true)"));
    exec(policy("only_active ON " + qualified("livekit_rooms") +
                " AS RESTRICTIVE FOR ALL TO public USING (status = 'active')"));
    const auto v = visibility(url);
    EXPECT_FALSE(v.sees_all_rows);
    EXPECT_EQ(v.visible_rows, 2);
    EXPECT_EQ(v.policies.size(), 2u);
    EXPECT_TRUE(contains(v.fix, "RESTRICTIVE policy \"only_active\"")) << v.fix;
}

TEST_F(RowVisibilityTest, PoliciesApplyThroughRoleMembershipAndOnlyForSelectOrAll) {
    require_admin();
    if (!m_admin_url) return;
    const std::string url = reader_setup();
    const std::string reader = last_role();
    login_role();  // a group role the reader belongs to
    const std::string group = last_role();
    admin_exec("GRANT " + q(group) + " TO " + q(reader));
    login_role();  // an unrelated role
    const std::string stranger = last_role();
    const std::string t = qualified("livekit_rooms");
    exec(policy("for_stranger ON " + t + " FOR SELECT TO " + q(stranger) + " USING (true)"));
    exec(policy("update_only ON " + t + " FOR UPDATE TO public USING (true)"));
    exec(policy("for_group ON " + t + " FOR ALL TO " + q(group) + " USING (true)"));
    const auto v = visibility(url);
    ASSERT_EQ(v.policies.size(), 1u);
    EXPECT_EQ(v.policies[0].name, "for_group");
    EXPECT_EQ(v.policies[0].command, "ALL");
    EXPECT_TRUE(v.sees_all_rows);
    EXPECT_EQ(v.visible_rows, 3);
}

// (d) The owner is exempt unless the table forces RLS on it too.
TEST_F(RowVisibilityTest, OwnerWithoutForceIsExempt) {
    create_default_table();
    insert("a", "RM_a", "active");
    exec("ALTER TABLE " + qualified("livekit_rooms") + " ENABLE ROW LEVEL SECURITY");
    const auto v = visibility(m_url);
    EXPECT_TRUE(v.rls_enabled);
    EXPECT_TRUE(v.owner);
    EXPECT_FALSE(v.applies);
    EXPECT_TRUE(v.sees_all_rows);
    EXPECT_EQ(v.visible_rows, 1);
    EXPECT_TRUE(contains(v.explanation, "owns the table")) << v.explanation;
}

// (e) FORCE ROW LEVEL SECURITY: the owner is filtered like anyone.
TEST_F(RowVisibilityTest, OwnerUnderForceIsFiltered) {
    create_default_table();
    insert("a", "RM_a", "active");
    exec("ALTER TABLE " + qualified("livekit_rooms") + " ENABLE ROW LEVEL SECURITY");
    exec("ALTER TABLE " + qualified("livekit_rooms") + " FORCE ROW LEVEL SECURITY");
    const auto v = visibility(m_url);
    EXPECT_TRUE(v.rls_forced);
    EXPECT_TRUE(v.owner);
    EXPECT_TRUE(v.applies);
    EXPECT_FALSE(v.sees_all_rows);
    EXPECT_EQ(v.visible_rows, 0);
}

// Owning through membership of the owning role counts as owning.
TEST_F(RowVisibilityTest, MemberOfTheOwningRoleIsExempt) {
    require_admin();
    if (!m_admin_url) return;
    const std::string url = reader_setup();
    const auto owner = exec("SELECT current_user::text")[0][0].as<std::string>();
    admin_exec("GRANT " + q(owner) + " TO " + q(last_role()));
    const auto v = visibility(url);
    EXPECT_TRUE(v.owner);
    EXPECT_FALSE(v.applies);
    EXPECT_EQ(v.visible_rows, 3);
}

// (f) BYPASSRLS.
TEST_F(RowVisibilityTest, BypassRlsRoleIsExempt) {
    require_admin();
    if (!m_admin_url) return;
    const auto v = visibility(reader_setup("BYPASSRLS"));
    EXPECT_TRUE(v.bypassrls);
    EXPECT_FALSE(v.owner);
    EXPECT_FALSE(v.applies);
    EXPECT_TRUE(v.sees_all_rows);
    EXPECT_EQ(v.visible_rows, 3);
    EXPECT_TRUE(contains(v.explanation, "BYPASSRLS")) << v.explanation;
}

TEST_F(RowVisibilityTest, SuperuserIsExempt) {
    require_admin();
    if (!m_admin_url) return;
    reader_setup();
    const auto db = exec("SELECT current_database()::text")[0][0].as<std::string>();
    const auto v = visibility(url_with(*m_admin_url, "dbname", db));
    EXPECT_TRUE(v.superuser);
    EXPECT_FALSE(v.applies);
    EXPECT_EQ(v.visible_rows, 3);
}

TEST_F(RowVisibilityTest, RlsDisabled) {
    create_default_table();
    insert("a", "RM_a", "active");
    const auto v = visibility(m_url);
    EXPECT_FALSE(v.rls_enabled);
    EXPECT_FALSE(v.applies);
    EXPECT_TRUE(v.sees_all_rows);
    EXPECT_TRUE(contains(v.explanation, "not enabled")) << v.explanation;
}

TEST_F(RowVisibilityTest, MissingTableIsAConfigError) {
    auto s = connect_room_store(m_url, default_mapping(), StoreOptions{});
    const auto msg = testing::error_of([&] { s->row_visibility(); }, ErrorKind::config);
    EXPECT_TRUE(contains(msg, "does not exist")) << msg;
}

}  // namespace
}  // namespace roomctl::store
