-- A LiveKit app's schema (livekit_rooms joined to sessions) in the state such an app ends up in:
-- rows whose rooms were never created, rooms that expired after empty_timeout, a lost SID.
CREATE TABLE sessions (
    id          uuid PRIMARY KEY,
    title       text NOT NULL,
    starts_at   timestamptz NOT NULL
);

CREATE TABLE livekit_rooms (
    id          bigserial PRIMARY KEY,
    session_id  uuid NOT NULL REFERENCES sessions (id),
    room_name   text NOT NULL,
    room_sid    text,
    status      text NOT NULL DEFAULT 'pending'
                CHECK (status IN ('pending', 'active', 'ended', 'cancelled')),
    created_at  timestamptz NOT NULL DEFAULT now()
);

INSERT INTO sessions (id, title, starts_at) VALUES
  ('44fa27d7-0528-46ce-9648-810539c2555c', 'Mentoring: system design', now() + interval '1 hour'),
  ('9b2d3c4e-1f5a-4b6c-8d7e-0a1b2c3d4e5f', 'Mentoring: career chat',   now() - interval '5 minutes'),
  ('7c9e6679-7425-40de-944b-e07fc1f90ae7', 'Mentoring: code review',   now() - interval '10 minutes'),
  ('16fd2706-8baf-433b-82eb-8c7fada847da', 'Mentoring: interview prep', now()),
  ('a8098c1a-f86e-11da-bd1a-00112444be1e', 'Mentoring: last week',     now() - interval '7 days');

INSERT INTO livekit_rooms (session_id, room_name, room_sid, status) VALUES
  -- the app wrote the row but never called CreateRoom
  ('44fa27d7-0528-46ce-9648-810539c2555c', 'session-44fa27d7-0528-46ce-9648-810539c2555c', NULL, 'pending'),
  -- created, nobody joined within empty_timeout, LiveKit closed it
  ('9b2d3c4e-1f5a-4b6c-8d7e-0a1b2c3d4e5f', 'session-9b2d3c4e-1f5a-4b6c-8d7e-0a1b2c3d4e5f', 'RM_3xQvT9bKp2Lm', 'active'),
  -- healthy
  ('7c9e6679-7425-40de-944b-e07fc1f90ae7', 'session-7c9e6679-7425-40de-944b-e07fc1f90ae7', NULL, 'active'),
  -- the room exists but the SID was never stored
  ('16fd2706-8baf-433b-82eb-8c7fada847da', 'session-16fd2706-8baf-433b-82eb-8c7fada847da', NULL, 'pending'),
  -- the session ended, its room lingers on the server
  ('a8098c1a-f86e-11da-bd1a-00112444be1e', 'session-a8098c1a-f86e-11da-bd1a-00112444be1e', 'RM_8dWq1ZcYx0Ab', 'ended');
