-- The sample's source schema. PowerSync replicates the tables in the 'powersync' publication.
CREATE TABLE IF NOT EXISTS lists (
    id text PRIMARY KEY,
    owner_id text NOT NULL,
    name text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE IF NOT EXISTS todos (
    id text PRIMARY KEY,
    list_id text NOT NULL REFERENCES lists (id) ON DELETE CASCADE,
    description text NOT NULL,
    completed integer NOT NULL DEFAULT 0,
    created_by text,
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE IF NOT EXISTS list_members (
    list_id text NOT NULL REFERENCES lists (id) ON DELETE CASCADE,
    user_id text NOT NULL,
    PRIMARY KEY (list_id, user_id)
);
DO $$ BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_publication WHERE pubname = 'powersync') THEN
        CREATE PUBLICATION powersync FOR TABLE lists, todos, list_members;
    END IF;
END $$;
