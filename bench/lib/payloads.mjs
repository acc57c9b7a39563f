/** A ~1 KB JSON object (a typical "user profile" read model). `i` keeps objects distinct. */
export function object1kb(i = 0) {
  return {
    id: i,
    uuid: '3f2b8c1e-9d4a-4b7e-a6c5-1e2f3a4b5c6d',
    name: 'Ada Lovelace',
    email: 'ada.lovelace@example.com',
    active: true,
    score: 98.6,
    roles: ['admin', 'editor', 'viewer'],
    address: { street: '12 Analytical Engine Road', city: 'London', zip: 'NW1 2DB', country: 'GB' },
    preferences: { theme: 'dark', language: 'en-GB', notifications: { email: true, sms: false, push: true } },
    createdAt: '2024-01-15T10:30:00.000Z',
    updatedAt: '2024-06-01T08:00:00.000Z',
    history: Array.from({ length: 6 }, (_, n) => ({
      at: `2024-0${n + 1}-01T00:00:00.000Z`,
      action: n % 2 ? 'login' : 'update-profile',
      ip: `10.0.0.${n + 1}`,
    })),
    bio: 'Mathematician and writer, known for work on the proposed mechanical general-purpose computer.',
  };
}

/** A 20-byte string. */
export const STRING_20 = 'cached-string-value!';
