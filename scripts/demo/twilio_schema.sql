-- A Twilio app's breakout rooms: a therapist's session split into rooms, each a row with
-- the Twilio Room SID and an is_active flag (the liveness rule).
CREATE TABLE instant_sessions (
    id            uuid PRIMARY KEY,
    therapist_id  uuid NOT NULL,
    title         text NOT NULL
);

CREATE TABLE breakout_rooms (
    id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    session_id       uuid NOT NULL REFERENCES instant_sessions (id),
    room_name        text NOT NULL,
    twilio_room_sid  text,
    is_active        boolean NOT NULL DEFAULT true,
    created_at       timestamptz NOT NULL DEFAULT now()
);

INSERT INTO instant_sessions (id, therapist_id, title) VALUES
  ('eef33a52-357a-46a5-9065-d2c77e187685', '5b2f0c1e-8d4a-4c3b-9e7f-1a2b3c4d5e6f', 'Group therapy, Tuesday');

INSERT INTO breakout_rooms (session_id, room_name, twilio_room_sid, is_active) VALUES
  -- created, nobody joined within UnusedRoomTimeout: Twilio completed it
  ('eef33a52-357a-46a5-9065-d2c77e187685', 'breakout-eef33a52-1', 'RM2f9d6c4b8a1e4f3d9c7b5a3e1f0d2c4b', true),
  -- the edge function failed after its Twilio call: the row never got the SID
  ('eef33a52-357a-46a5-9065-d2c77e187685', 'breakout-eef33a52-2', NULL, true),
  -- healthy (its SID is filled in below)
  ('eef33a52-357a-46a5-9065-d2c77e187685', 'breakout-eef33a52-3', NULL, true),
  -- closed by the therapist in the app, but close-breakout-room never reached Twilio
  ('eef33a52-357a-46a5-9065-d2c77e187685', 'breakout-eef33a52-4', NULL, false);
