"""Text the screenshot factory draws: real code, prose, public-domain quotes, chat lines, captions."""

from __future__ import annotations

CODE_SNIPPETS: dict[str, str] = {
    "python": '''import hashlib
from pathlib import Path


def file_digest(path: Path, chunk_size: int = 65536) -> str:
    """Return the SHA-256 hex digest of a file."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(chunk_size):
            digest.update(chunk)
    return digest.hexdigest()


class LRUCache:
    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self.items: dict[str, bytes] = {}

    def get(self, key: str) -> bytes | None:
        if key not in self.items:
            return None
        value = self.items.pop(key)
        self.items[key] = value
        return value

    def put(self, key: str, value: bytes) -> None:
        self.items.pop(key, None)
        self.items[key] = value
        if len(self.items) > self.capacity:
            del self.items[next(iter(self.items))]
''',
    "javascript": """const express = require("express");
const app = express();

app.use(express.json());

function debounce(fn, wait = 200) {
  let timer = null;
  return (...args) => {
    clearTimeout(timer);
    timer = setTimeout(() => fn.apply(this, args), wait);
  };
}

app.get("/api/users/:id", async (req, res) => {
  const user = await db.users.findOne({ id: req.params.id });
  if (!user) {
    return res.status(404).json({ error: "not found" });
  }
  res.json(user);
});

export const sum = (values) => values.reduce((a, b) => a + b, 0);

app.listen(3000, () => console.log("listening on 3000"));
""",
    "rust": """use std::collections::HashMap;
use std::fs;

fn word_counts(text: &str) -> HashMap<String, usize> {
    let mut counts = HashMap::new();
    for word in text.split_whitespace() {
        *counts.entry(word.to_lowercase()).or_insert(0) += 1;
    }
    counts
}

fn main() -> std::io::Result<()> {
    let text = fs::read_to_string("notes.txt")?;
    let mut pairs: Vec<_> = word_counts(&text).into_iter().collect();
    pairs.sort_by(|a, b| b.1.cmp(&a.1));
    for (word, count) in pairs.iter().take(10) {
        println!("{word:>12} {count}");
    }
    Ok(())
}
""",
    "c": """#include <stdio.h>
#include <stdlib.h>

typedef struct node {
    int value;
    struct node *next;
} node_t;

node_t *push(node_t *head, int value) {
    node_t *n = malloc(sizeof(node_t));
    if (n == NULL) {
        perror("malloc");
        exit(EXIT_FAILURE);
    }
    n->value = value;
    n->next = head;
    return n;
}

int main(void) {
    node_t *list = NULL;
    for (int i = 0; i < 10; i++) {
        list = push(list, i * i);
    }
    for (node_t *p = list; p != NULL; p = p->next) {
        printf("%d\\n", p->value);
    }
    return 0;
}
""",
    "go": """package main

import (
    "fmt"
    "log"
    "net/http"
    "time"
)

func handler(w http.ResponseWriter, r *http.Request) {
    name := r.URL.Query().Get("name")
    if name == "" {
        name = "world"
    }
    fmt.Fprintf(w, "hello, %s\\n", name)
}

func main() {
    srv := &http.Server{
        Addr:         ":8080",
        Handler:      http.HandlerFunc(handler),
        ReadTimeout:  5 * time.Second,
        WriteTimeout: 10 * time.Second,
    }
    log.Fatal(srv.ListenAndServe())
}
""",
    "python-async": """import asyncio
import json
from dataclasses import dataclass, field


@dataclass
class Job:
    name: str
    retries: int = 3
    tags: list[str] = field(default_factory=list)


async def fetch(session, url: str) -> dict:
    async with session.get(url, timeout=10) as response:
        response.raise_for_status()
        return json.loads(await response.text())


async def run(jobs: list[Job]) -> None:
    queue: asyncio.Queue[Job] = asyncio.Queue()
    for job in jobs:
        await queue.put(job)
    while not queue.empty():
        job = await queue.get()
        try:
            print(f"running {job.name}")
        except Exception as exc:
            job.retries -= 1
            if job.retries > 0:
                await queue.put(job)
""",
    "typescript": """import { readFile } from "node:fs/promises";

interface Config {
  port: number;
  hosts: string[];
  verbose?: boolean;
}

export async function loadConfig(path: string): Promise<Config> {
  const raw = await readFile(path, "utf8");
  const parsed = JSON.parse(raw) as Partial<Config>;
  if (typeof parsed.port !== "number") {
    throw new Error(`port missing in ${path}`);
  }
  return {
    port: parsed.port,
    hosts: parsed.hosts ?? ["localhost"],
    verbose: Boolean(parsed.verbose),
  };
}

export class Counter {
  private value = 0;
  increment(step = 1): number {
    this.value += step;
    return this.value;
  }
}
""",
}

# Short original paragraphs; documents are assembled from them in varied order.
PROSE: list[str] = [
    "The printing press did not change Europe overnight. For several decades after Gutenberg set his first "
    "pages, most books were still copied by hand, and the printed ones were expensive, heavy and often full of "
    "errors that the printers corrected only in later runs.",
    "City gardens have quietly become one of the most useful tools for cooling neighbourhoods in summer. A row "
    "of trees along a street can lower the temperature of the pavement by several degrees, and the shade makes "
    "walking to the bus stop far more pleasant for everyone.",
    "Most adults need between seven and nine hours of sleep, yet surveys show that a third of them regularly get "
    "less than six. The effects add up slowly: attention drifts, small mistakes become more common, and the body "
    "takes longer to recover from ordinary illness.",
    "When engineers design a suspension bridge, they spend as much time thinking about wind as about weight. The "
    "deck must be stiff enough that gusts cannot set it swinging, because even a gentle rhythm, repeated long "
    "enough, can grow into a motion that no cable was meant to carry.",
    "The committee met on Tuesday to review the budget for the coming year. After a long discussion it agreed to "
    "postpone the purchase of new equipment until the spring, and to spend the savings on repairs to the roof of "
    "the east building, which has leaked since October.",
    "Bread is one of the oldest prepared foods. Flour, water and salt are enough for a simple loaf, but the yeast "
    "and the time it is given to work decide almost everything about the flavour, the crust and the way the crumb "
    "holds together when it is sliced.",
    "Lighthouses were once kept by families who lived at the foot of the tower for years at a time. They trimmed "
    "the wicks, polished the lenses and wrote the weather in a log every few hours, and in a storm they could go "
    "for days without sleeping more than an hour or two.",
    "The library will close early on Friday so that the staff can move the reference collection to the second "
    "floor. Books that are due that day may be returned on Monday without a fine, and the reading room will open "
    "again at nine in the morning as usual.",
    "Rivers carry far more than water. Each year they move enormous amounts of sand, silt and dissolved minerals "
    "from the mountains to the sea, and the shape of a delta is a record of how that load has shifted over many "
    "thousands of years.",
    "Learning a second language as an adult is slower than it is for a child, but it is by no means hopeless. "
    "Adults are better at noticing patterns and at studying on purpose, and with regular practice most of them "
    "can hold a simple conversation within a year.",
    "The museum's new wing is built almost entirely of timber. The architects chose wood because it stores carbon "
    "rather than releasing it, and because the large glued beams could be made in a factory and lifted into place "
    "in a matter of weeks.",
    "In the early days of the railway, every town kept its own time, set by the sun at noon. The timetables were "
    "a puzzle for travellers until the companies agreed on a standard time, and the clocks in the stations were "
    "finally made to agree with each other.",
]

DOC_TITLES: list[str] = [
    "Notes on the History of Printing",
    "Quarterly Report: Facilities and Budget",
    "Why Cities Are Planting More Trees",
    "A Short Guide to Sleep",
    "Bridges, Wind and Resonance",
    "Minutes of the Planning Committee",
    "Keepers of the Light",
]

QUOTES: list[tuple[str, str]] = [
    ("To be, or not to be: that is the question.", "William Shakespeare"),
    ("Well done is better than well said.", "Benjamin Franklin"),
    ("The unexamined life is not worth living.", "Socrates"),
    ("Our life is frittered away by detail. Simplify, simplify.", "Henry David Thoreau"),
    ("Hope is the thing with feathers that perches in the soul.", "Emily Dickinson"),
    ("I think, therefore I am.", "René Descartes"),
    ("Knowledge is power.", "Francis Bacon"),
    ("The happiness of your life depends upon the quality of your thoughts.", "Marcus Aurelius"),
    ("Luck is what happens when preparation meets opportunity.", "Seneca"),
    ("Hell is empty and all the devils are here.", "William Shakespeare"),
    ("A journey of a thousand miles begins with a single step.", "Lao Tzu"),
    ("We are all in the gutter, but some of us are looking at the stars.", "Oscar Wilde"),
    ("'Tis better to have loved and lost than never to have loved at all.", "Alfred, Lord Tennyson"),
    ("Nothing in life is to be feared, it is only to be understood.", "Marie Curie"),
    ("The only thing we have to fear is fear itself.", "Franklin D. Roosevelt"),
    ("It is not the critic who counts.", "Theodore Roosevelt"),
    ("The die is cast.", "Julius Caesar"),
    ("The reports of my death are greatly exaggerated.", "Mark Twain"),
]

CHAT_LINES: list[str] = [
    "are we still on for lunch tomorrow?",
    "yes! 12:30 at the usual place",
    "running ten minutes late, sorry",
    "no worries, I'll grab a table",
    "did you see the email from Sam?",
    "just read it, sounds good to me",
    "can you send me the slides",
    "sent, check your inbox",
    "thanks!!",
    "how was the trip?",
    "amazing, the weather was perfect",
    "pics or it didn't happen",
    "ok here's one from the top of the hill",
    "wow that view",
    "who is bringing the cake on Friday?",
    "I can do it",
    "perfect, thank you",
    "call me when you're free",
    "on my way home now",
    "the meeting moved to 3",
    "got it 👍",
    "happy birthday!!",
    "see you tonight",
    "lol",
]

CHAT_NAMES: list[str] = [
    "Anna",
    "Ben Carter",
    "Chloe",
    "Dev Patel",
    "Mum",
    "Sam",
    "Liam O'Brien",
    "Priya",
    "Team Alpha",
]

INFO_TITLES: list[str] = [
    "The State of Remote Work",
    "Water in Numbers",
    "How We Read in 2024",
    "Our Year at a Glance",
    "Coffee Around the World",
    "Cycling in the City",
    "Energy at Home",
]

INFO_FACTS: list[tuple[str, str]] = [
    ("72%", "work from home at least once a week"),
    ("3.4M", "new subscribers"),
    ("1 in 5", "adults read daily"),
    ("48h", "average delivery time"),
    ("$12B", "spent on coffee"),
    ("9/10", "would recommend"),
    ("250K", "trees planted"),
    ("35%", "less energy used"),
    ("14", "new cities"),
    ("2x", "faster than last year"),
    ("60%", "of water is used by farms"),
    ("8 min", "average commute saved"),
]

CHART_TITLES: list[str] = [
    "Monthly Revenue",
    "Visitors per Month",
    "Average Temperature",
    "Downloads by Year",
    "Sales by Region",
    "Response Time (ms)",
    "Active Users",
]

CHART_CATEGORIES: list[list[str]] = [
    ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug"],
    ["2017", "2018", "2019", "2020", "2021", "2022", "2023"],
    ["North", "South", "East", "West", "Central"],
    ["Q1", "Q2", "Q3", "Q4"],
    ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"],
]

UI_MENU: list[str] = ["File", "Edit", "View", "Help"]

# Settings and sign-in screens: UI with a little text that is none of the other kinds.
UI_SETTINGS: list[str] = [
    "Wi-Fi", "Bluetooth", "Notifications", "Dark mode", "Location services", "Auto-update",
    "Sounds", "Battery saver", "Night shift", "Sync contacts", "Airplane mode", "Do not disturb",
]  # fmt: skip
UI_FORM: list[str] = ["Email address", "Password", "Remember me", "Forgot password?"]
