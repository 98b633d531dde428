-- Demo data: alice and bob each own a list; alice shares "Trip" with bob.
INSERT INTO lists (id, owner_id, name) VALUES
    ('groceries', 'alice', 'Groceries'),
    ('work', 'bob', 'Work'),
    ('trip', 'alice', 'Trip to Lisbon')
ON CONFLICT DO NOTHING;
INSERT INTO todos (id, list_id, description, completed, created_by) VALUES
    ('milk', 'groceries', 'Milk', 0, 'alice'),
    ('bread', 'groceries', 'Bread', 1, 'alice'),
    ('report', 'work', 'Quarterly report', 0, 'bob'),
    ('tickets', 'trip', 'Book tickets', 0, 'alice'),
    ('hotel', 'trip', 'Find a hotel', 0, 'alice')
ON CONFLICT DO NOTHING;
INSERT INTO list_members (list_id, user_id) VALUES ('trip', 'bob') ON CONFLICT DO NOTHING;
