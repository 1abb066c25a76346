package web

// BoardPage is how many cards a pipeline column shows at a time.
const BoardPage = boardPage
