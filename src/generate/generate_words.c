/* Constant vocabulary for the generator. Titles mix plain English, MovieLens
 * quirks ("Harbor, The"), commas, double quotes and non-ASCII letters so that
 * readers of the generated files meet the same awkward cases as in real
 * MovieLens files. */
#include "generate_words.h"

#define LIST(name, ...)                                  \
    static const char *const name##_w[] = {__VA_ARGS__}; \
    const gen_wordlist name = {name##_w, sizeof name##_w / sizeof name##_w[0]}

const char *const gen_genre_names[GEN_N_GENRES] = {"Action",   "Adventure", "Animation",   "Children",
                                                   "Comedy",   "Crime",     "Documentary", "Drama",
                                                   "Fantasy",  "Film-Noir", "Horror",      "IMAX",
                                                   "Musical",  "Mystery",   "Romance",     "Sci-Fi",
                                                   "Thriller", "War",       "Western",     "(no genres listed)"};

/* ml-latest-small: Drama 4361 of 9742 movies, Comedy 3756, ... */
const uint16_t gen_genre_permille[GEN_N_GENRES] = {188, 130, 63, 68, 386, 123, 45,  448, 80, 9,
                                                   100, 16,  34, 59, 164, 101, 194, 39,  17, 3};

const gen_theme gen_themes[] = {
    {"space opera", 5, 5, {G_SCI_FI, G_ACTION, G_ADVENTURE, G_FANTASY, G_IMAX}, {95, 70, 70, 15, 8}},
    {"action thriller", 8, 3, {G_ACTION, G_THRILLER, G_CRIME}, {95, 75, 45}},
    {"family animation", 5, 5, {G_ANIMATION, G_CHILDREN, G_COMEDY, G_ADVENTURE, G_FANTASY}, {90, 85, 60, 50, 35}},
    {"romantic comedy", 8, 3, {G_COMEDY, G_ROMANCE, G_DRAMA}, {95, 90, 25}},
    {"love story", 7, 2, {G_DRAMA, G_ROMANCE}, {90, 90}},
    {"arthouse drama", 12, 1, {G_DRAMA}, {100}},
    {"horror thriller", 6, 3, {G_HORROR, G_THRILLER, G_MYSTERY}, {95, 70, 20}},
    {"horror comedy", 3, 3, {G_HORROR, G_COMEDY, G_FANTASY}, {90, 70, 15}},
    {"crime drama", 7, 3, {G_CRIME, G_DRAMA, G_THRILLER}, {95, 80, 40}},
    {"film noir", 2, 5, {G_FILM_NOIR, G_CRIME, G_MYSTERY, G_THRILLER, G_DRAMA}, {60, 70, 60, 40, 30}},
    {"documentary", 4, 3, {G_DOCUMENTARY, G_WAR, G_IMAX}, {100, 8, 3}},
    {"war", 3, 3, {G_WAR, G_DRAMA, G_ACTION}, {95, 80, 45}},
    {"western", 2, 4, {G_WESTERN, G_ACTION, G_ADVENTURE, G_DRAMA}, {95, 40, 35, 30}},
    {"musical", 3, 4, {G_MUSICAL, G_COMEDY, G_ROMANCE, G_CHILDREN}, {90, 50, 50, 15}},
    {"fantasy adventure", 4, 4, {G_FANTASY, G_ADVENTURE, G_ACTION, G_IMAX}, {90, 85, 40, 10}},
    {"cerebral sci-fi", 3, 4, {G_SCI_FI, G_DRAMA, G_MYSTERY, G_THRILLER}, {95, 60, 50, 40}},
    {"broad comedy", 10, 1, {G_COMEDY}, {100}},
    {"family adventure", 3, 4, {G_CHILDREN, G_ADVENTURE, G_COMEDY, G_FANTASY}, {85, 75, 50, 40}},
    {"mystery thriller", 5, 4, {G_MYSTERY, G_THRILLER, G_DRAMA, G_CRIME}, {85, 85, 45, 30}},
    {"action comedy", 4, 4, {G_ACTION, G_COMEDY, G_CRIME, G_ADVENTURE}, {90, 85, 35, 25}},
    {"period drama", 4, 3, {G_DRAMA, G_ROMANCE, G_WAR}, {90, 45, 25}},
    {"dramedy", 7, 2, {G_COMEDY, G_DRAMA}, {90, 90}},
    {"superhero", 3, 5, {G_ACTION, G_ADVENTURE, G_SCI_FI, G_FANTASY, G_IMAX}, {95, 80, 70, 30, 15}},
    {"true crime", 1, 2, {G_DOCUMENTARY, G_CRIME}, {90, 60}},
};
const uint32_t gen_n_themes = sizeof gen_themes / sizeof gen_themes[0];

LIST(gen_adjectives, "Silent", "Last", "Broken", "Golden", "Hidden", "Crimson", "Lonely", "Wild", "Secret", "Burning",
     "Frozen", "Lost", "Dark", "Bright", "Forgotten", "Endless", "Little", "Big", "Dangerous", "Sweet", "Bitter",
     "Midnight", "Electric", "Savage", "Quiet", "Eternal", "Restless", "Hollow", "Scarlet", "Blue", "Iron", "Velvet",
     "Crooked", "Final", "First", "Wicked", "Gentle", "Fearless", "Invisible", "Perfect", "Strange", "Distant",
     "Sleeping", "Falling", "Rising", "Shattered", "Haunted", "Glass", "Paper", "Stolen", "Second", "Northern",
     "Southern", "Tender", "Reckless", "Cold", "Hot", "Long", "Short", "Happy", "Mad", "Brave", "Proud", "Deadly",
     "Lucky", "Crazy", "Curious", "Magnificent", "Terrible", "Wonderful");
LIST(gen_nouns, "Harbor", "River", "Night", "Summer", "Winter", "Road", "Garden", "Empire", "Kingdom", "Shadow",
     "Storm", "Heart", "Dream", "Game", "Machine", "Island", "Mountain", "City", "Station", "Letter", "Promise",
     "Secret", "Witness", "Stranger", "Hunter", "Soldier", "Detective", "Doctor", "Queen", "King", "Prince", "Bride",
     "Ghost", "Monster", "Dragon", "Robot", "Planet", "Star", "Moon", "Sun", "Ocean", "Desert", "Forest", "Valley",
     "Bridge", "Tower", "House", "Hotel", "Train", "Ship", "Voyage", "Journey", "Escape", "Return", "Revenge", "Legacy",
     "Code", "Signal", "Mirror", "Window", "Door", "Key", "Crown", "Sword", "Blood", "Fire", "Ice", "Rain", "Snow",
     "Wind", "Thunder", "Song", "Dance", "Waltz", "Circus", "Carnival", "Party", "Wedding", "Funeral", "Affair",
     "Conspiracy", "Contract", "Deal", "Heist", "Job", "Chase", "Race", "Fight", "War", "Battle", "Siege", "Invasion",
     "Colony", "Frontier", "Outlaw", "Sheriff", "Gunslinger", "Rider", "Horse", "Wolf", "Tiger", "Fox", "Bear", "Raven",
     "Sparrow", "Whale", "Spider", "Serpent", "Orchid", "Rose", "Lily", "Diary", "Album", "Picture", "Photograph",
     "Painting", "Symphony", "Melody", "Echo", "Horizon", "Lighthouse", "Cathedral", "Castle", "Village", "Suburb",
     "Neighbor", "Family", "Brothers", "Sisters", "Daughter", "Son", "Mother", "Father", "Children", "Friends",
     "Lovers", "Enemies", "Strangers", "Heroes", "Ghosts", "Angels", "Demons", "Saints", "Sinners", "Thieves", "Liars",
     "Dreamers", "Runaways", "Survivors");
LIST(gen_names, "Anna", "Max", "Lucy", "Jack", "Emma", "Oscar", "Rosa", "Hugo", "Clara", "Felix", "Nora", "Leo", "Iris",
     "Otto", "Vera", "Sam", "Ruby", "Theo", "Mia", "Victor", "Jules", "Harriet", "Walter", "Greta", "Frank", "Lola",
     "Henry", "Agnes", "Billy", "Dolores", "Zoë", "José", "Björn", "Agnès", "François", "Søren", "Łukasz", "Nuño");
LIST(gen_places, "Paris", "Berlin", "Tokyo", "Brooklyn", "Texas", "Venice", "Havana", "Cairo", "Alaska", "Mars",
     "Lisbon", "Vienna", "Chicago", "Memphis", "Shanghai", "Istanbul", "Marseille", "Bombay", "Dublin", "Oslo",
     "Montréal", "Köln", "Zürich", "São Paulo", "Málaga", "Kraków", "Reykjavík");
LIST(gen_foreign, "Café des Étoiles", "La Vie en Rêve", "Le Dernier Été", "Les Enfants du Métro",
     "Mädchen in der Straße", "Die große Stille", "Schöne Grüße", "Das Märchen vom Glück", "El Señor de la Mañana",
     "Año de los Niños", "La Canción del Niño", "Corazón de León", "Sånger från Söder", "Fröken Ödegård",
     "Smørrebrød og Øl", "A Última Noção", "Ça ira", "Noël à Bâle", "Dziewczyna z Łodzi", "Çocukluk Günleri",
     "Η Θάλασσα", "Брат и сестра", "東京の夜", "夢の街", "静かな海", "春の嵐", "風の歌", "月光", "花火", "雪国物語",
     "青い鳥", "千の星", "北京之夏", "小城故事", "花样年华之后", "하얀 밤", "서울의 봄날", "La Dolce Attesa",
     "Il Giardino Perduto", "Niña Bonita");
LIST(gen_cjk, "アニメ", "名作", "泣ける", "宮崎", "武侠", "怪獣");
LIST(gen_subtitles, "The Beginning", "Part II", "Part III", "The Return", "Reloaded", "A New Hope", "The Final Chapter",
     "Origins", "Revelations", "Resurrection", "Legacy", "The Lost Years", "Endgame", "Homecoming",
     "Rise of the Machines", "Judgment Day", "The Director's Cut", "Redemption", "Aftermath", "Awakening");
LIST(gen_general_tags, "atmospheric", "twist ending", "based on a book", "visually appealing", "funny", "quirky",
     "dark comedy", "thought-provoking", "great soundtrack", "overrated", "classic", "cult film", "slow", "predictable",
     "beautiful", "Oscar (Best Picture)", "quotable", "must see", "boring", "In Netflix queue", "surreal", "nonlinear",
     "moody, atmospheric", "\"so bad it's good\"", "mélancolique", "Ghibli-esque", "remake", "true story",
     "great acting", "BD-R", "wistful", "feel-good", "Über-stylish", "名作", "泣ける", "director's cut", "long",
     "social commentary", "imdb top 250", "franchise");

static const char *const tags_action[] = {"car chase", "explosions", "martial arts", "heist", "one-liners", "stunts"};
static const char *const tags_adventure[] = {"treasure hunt", "journey", "jungle", "pirates", "road trip"};
static const char *const tags_animation[] = {"anime", "アニメ", "Pixar-like", "stop motion", "hand-drawn", "宮崎"};
static const char *const tags_children[] = {"kids", "family", "talking animals", "coming of age", "Disney-ish"};
static const char *const tags_comedy[] = {"hilarious", "satire", "slapstick", "witty", "parody", "deadpan"};
static const char *const tags_crime[] = {"mafia", "heist", "corruption", "police", "serial killer", "gangsters"};
static const char *const tags_documentary[] = {"interesting", "biography", "history", "nature", "music", "eye-opening"};
static const char *const tags_drama[] = {"emotional",    "tearjerker", "character study",
                                         "family drama", "melancholy", "slow burn"};
static const char *const tags_fantasy[] = {"magic", "dragons", "fairy tale", "mythology", "武侠"};
static const char *const tags_noir[] = {"noir", "femme fatale", "black and white", "hardboiled"};
static const char *const tags_horror[] = {"gore", "creepy", "zombies", "slasher", "haunted house", "怪獣"};
static const char *const tags_imax[] = {"IMAX", "3D", "spectacle"};
static const char *const tags_musical[] = {"singing", "dance", "Broadway", "catchy songs"};
static const char *const tags_mystery[] = {"whodunit", "puzzle", "detective", "twist"};
static const char *const tags_romance[] = {"love story", "romantic", "chemistry", "wedding", "bittersweet"};
static const char *const tags_scifi[] = {"dystopia", "time travel", "space", "aliens", "artificial intelligence",
                                         "cyberpunk"};
static const char *const tags_thriller[] = {"suspense", "tense", "psychological", "conspiracy", "paranoia"};
static const char *const tags_war[] = {"World War II", "Vietnam", "anti-war", "soldiers"};
static const char *const tags_western[] = {"cowboys", "gunfight", "frontier", "spaghetti western"};

#define WL(a)                     \
    {                             \
        a, sizeof a / sizeof a[0] \
    }
const gen_wordlist gen_genre_tags[GEN_N_GENRES] = {
    /* (no genres listed): the general tags */
    WL(tags_action), WL(tags_adventure),   WL(tags_animation), WL(tags_children), WL(tags_comedy),
    WL(tags_crime),  WL(tags_documentary), WL(tags_drama),     WL(tags_fantasy),  WL(tags_noir),
    WL(tags_horror), WL(tags_imax),        WL(tags_musical),   WL(tags_mystery),  WL(tags_romance),
    WL(tags_scifi),  WL(tags_thriller),    WL(tags_war),       WL(tags_western),  WL(gen_general_tags_w)};
